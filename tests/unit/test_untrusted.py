"""Untrusted text: unsafe characters removed on the way in, escaped on the way out."""

from __future__ import annotations

import sys
import unicodedata
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from service.core.model import MeetingInput, Platform
from service.core.untrusted import (
    EMAIL_LIMIT,
    KEY_LIMIT,
    UNSAFE,
    clean_email,
    clean_key,
    clean_text,
    escape_text,
)

OSC_TITLE = "\x1b]0;pwned\x07Standup"
UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Weekly sync", "Weekly sync"),
        (OSC_TITLE, "]0;pwnedStandup"),
        ("\x1b[2J\x1b[31mRed", "[2J[31mRed"),
        ("a\x00b\x7fc\x9bd", "abcd"),
        ("Line one\nLine two\r\n\tend", "Line one Line two end"),
        ("\u202eevil\u202c txt", "evil txt"),
        ("\u2066iso\u2069late \u200fmark\u200e", "isolate mark"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("tag\U000e0041\U000e007f", "tag"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("para\u2028graph\u2029", "para graph"),
        ("  padded  ", "padded"),
        ("Ünïcödé ✓ 日本語 😀", "Ünïcödé ✓ 日本語 😀"),
        ("\x1b\x07\x00", ""),
    ],
)
def test_clean_text_removes_what_a_terminal_would_act_on(raw: str, clean: str) -> None:
    assert clean_text(raw, limit=500) == clean
    assert clean_text(clean, limit=500) == clean


@pytest.mark.parametrize(
    ("length", "limit", "expected"),
    [(10, 10, "x" * 10), (11, 10, "x" * 9 + "…"), (1000, 500, "x" * 499 + "…")],
)
def test_clean_text_bounds_the_length(length: int, limit: int, expected: str) -> None:
    assert clean_text("x" * length, limit=limit) == expected
    assert clean_text(expected, limit=limit) == expected


def test_clean_key_keeps_short_keys_and_digests_long_ones() -> None:
    assert clean_key("evt-1@acme") == "evt-1@acme"
    assert clean_key("evt\x1b-1") == "evt-1"
    long_a, long_b = "u" * KEY_LIMIT + "a", "u" * KEY_LIMIT + "b"
    key_a, key_b = clean_key(long_a), clean_key(long_b)
    assert len(key_a) == len(key_b) == KEY_LIMIT
    assert key_a != key_b
    assert key_a.startswith("u" * 300)
    assert clean_key(key_a) == key_a


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Jane@Acme.Example", "jane@acme.example"),
        ("jane\x1b@acme.example", "jane@acme.example"),
        ("", None),
        ("\u202e", None),
        ("a" * (EMAIL_LIMIT - 10) + "@acme.example", None),
    ],
)
def test_clean_email(raw: str, clean: str | None) -> None:
    assert clean_email(raw) == clean


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Weekly sync", "Weekly sync"),
        (OSC_TITLE, "\\x1b]0;pwned\\x07Standup"),
        ("a\x00b\x7fc\x9bd", "a\\x00b\\x7fc\\x9bd"),
        ("two\nlines", "two\\x0alines"),
        ("\u202eevil", "\\u202eevil"),
        ("lone \ud800", "lone \\ud800"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("Ünïcödé 😀", "Ünïcödé 😀"),
    ],
)
def test_escape_text_makes_every_unsafe_character_visible(raw: str, shown: str) -> None:
    escaped = escape_text(raw)
    assert escaped == shown
    assert UNSAFE.search(escaped) is None
    escaped.encode("utf-8")  # a lone surrogate would raise here


def test_the_unsafe_set_is_exactly_the_unicode_control_and_format_categories() -> None:
    matched = {
        code
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in UNSAFE_CATEGORIES
    }
    missing = [hex(code) for code in matched if UNSAFE.match(chr(code)) is None]
    # The pattern may name characters newer than this Python's Unicode tables (category Cn).
    extra = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if UNSAFE.match(chr(code)) is not None
        and unicodedata.category(chr(code)) not in {*UNSAFE_CATEGORIES, "Cn"}
    ]
    assert (missing, extra) == ([], [])


def test_every_meeting_input_is_cleaned_however_it_was_made() -> None:
    meeting = MeetingInput(
        source="calendar:1",
        source_key="evt\x1b-1|" + "k" * 600,
        title=OSC_TITLE + " " + "x" * 600,
        meeting_url="https://acme.zoom.us/j/81234567890",
        platform=Platform.ZOOM,
        start_at=datetime(2026, 11, 24, 9, tzinfo=UTC),
        end_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
        organizer="\u202e",
        attendees=("sam@globex.example\x07", "\x00"),
    )
    assert meeting.title.startswith("]0;pwnedStandup xxx")
    assert (len(meeting.title), meeting.title[-1]) == (500, "…")
    assert meeting.source_key.startswith("evt-1|kkk")
    assert len(meeting.source_key) == 500
    assert (meeting.organizer, meeting.attendees) == (None, ("sam@globex.example",))
    assert replace(meeting, record=False).title == meeting.title
