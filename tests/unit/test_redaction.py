"""Redaction: meeting passcodes, feed tokens and the API key never shown."""

from __future__ import annotations

import pytest

from service.core.redaction import fingerprint, mask_url, redact_meeting_url, redact_text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://acme.zoom.us/j/81234567890?pwd=SECRETPASS",
            "https://acme.zoom.us/j/81234567890?pwd=…",
        ),
        (
            "https://acme.zoom.us/j/81234567890?pwd=SECRETPASS&tk=SECRETTOKEN#success",
            "https://acme.zoom.us/j/81234567890?pwd=…&tk=…",
        ),
        (
            "https://teams.microsoft.com/meet/123?p=SECRETPASS",
            "https://teams.microsoft.com/meet/123?p=…",
        ),
        ("https://meet.google.com/abc-defg-hij", "https://meet.google.com/abc-defg-hij"),
        ("https://acme.zoom.us:8443/j/1?SECRETPASS", "https://acme.zoom.us:8443/j/1?…"),
        ("https://acme.zoom.us/j/1?pwd=", "https://acme.zoom.us/j/1?pwd="),
    ],
)
def test_a_meeting_link_keeps_its_path_but_not_its_passcode(url: str, shown: str) -> None:
    assert redact_meeting_url(url) == shown


@pytest.mark.parametrize(
    "url",
    [
        "https://user:SECRETPASS@acme.zoom.us/j/1",
        "http://[::1/SECRETPASS",
        "https://acme.zoom.us:99999/SECRETPASS",
        "zoommtg://zoom.us/join?pwd=SECRETPASS",
    ],
)
def test_an_odd_meeting_link_is_masked_whole(url: str) -> None:
    shown = redact_meeting_url(url)
    assert "SECRETPASS" not in shown
    assert shown.endswith(f"#{fingerprint(url)})")


def test_mask_keeps_scheme_and_host_only() -> None:
    url = "https://calendar.google.com/calendar/ical/team%40acme.com/private-0a1b2c/basic.ics"
    assert mask_url(url) == f"https://calendar.google.com/… (#{fingerprint(url)})"
    assert mask_url("http://[2606:4700::1]:8080/x") == (
        f"http://[2606:4700::1]/… (#{fingerprint('http://[2606:4700::1]:8080/x')})"
    )


def test_free_text_loses_the_key_every_url_and_every_passcode() -> None:
    text = (
        "meeting_url https://acme.zoom.us/j/1?pwd=SECRETPASS is not valid for key mvra_KEY; "
        "see https://p1-caldav.icloud.com/published/2/FEEDTOKEN or pwd=OTHERPASS"
    )
    shown = redact_text(text, hide=["mvra_KEY", ""])
    for secret in ("SECRETPASS", "mvra_KEY", "FEEDTOKEN", "OTHERPASS", "/j/1"):
        assert secret not in shown
    assert "https://acme.zoom.us/…" in shown
    assert "https://p1-caldav.icloud.com/…" in shown
    assert "key <redacted>" in shown
    assert shown.endswith("or pwd=…")


def test_a_source_key_made_of_a_link_loses_its_passcode() -> None:
    key = "https://acme.zoom.us/j/81234567890?pwd=SECRETPASS@2026-11-24T09:00:00Z"
    shown = redact_text(key, links=redact_meeting_url)
    assert shown == "https://acme.zoom.us/j/81234567890?pwd=…"
