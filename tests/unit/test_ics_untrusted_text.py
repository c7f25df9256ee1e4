"""`parse_feed` cleans what a feed says before anything keeps or shows it: titles, people and
UIDs lose terminal controls and bidi overrides and are bounded; series keys stay stable."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

import pytest

from service.core.ics import Feed
from service.core.ics.ics import parse_feed

WINDOW_START: Final = datetime(2026, 1, 1, tzinfo=UTC)
WINDOW_END: Final = datetime(2026, 2, 1, tzinfo=UTC)
OSC: Final = "\x1b]0;owned\x07"
KEY_LIMIT: Final = 400  # service.core.untrusted.KEY_LIMIT, the longest UID kept as it is
RAW: Final = ("\x1b", "\x07", "\x00", "\u202e", "\x9b")


def feed(*lines: str) -> Feed:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//autojoin tests//EN", *lines]
    data = "\r\n".join([*body, "END:VCALENDAR", ""]).encode()
    return parse_feed(data, window_start=WINDOW_START, window_end=WINDOW_END, fallback_zone="UTC")


def event(uid: str, *lines: str) -> tuple[str, ...]:
    return (
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTART:20260105T090000Z",
        "DTEND:20260105T093000Z",
        "LOCATION:https://acme.zoom.us/j/81234567890",
        *lines,
        "END:VEVENT",
    )


@pytest.mark.parametrize(
    ("summary", "title"),
    [
        (f"{OSC}Standup", "]0;ownedStandup"),
        ("\x1b[2J\x1b[1;31mRed alert", "[2J[1;31mRed alert"),
        ("Budget \u202egnp.exe\u202c review", "Budget gnp.exe review"),
        ("Null\x00 and bell\x07 and DEL\x7f and CSI\x9b", "Null and bell and DEL and CSI"),
        ("Two\\nlines", "Two lines"),
        ("x" * 2000, "x" * 499 + "…"),
    ],
)
def test_a_title_loses_control_characters_and_is_bounded(summary: str, title: str) -> None:
    (occurrence,) = feed(*event("evt-1", f"SUMMARY:{summary}")).occurrences
    assert occurrence.title == title


def test_people_lose_control_characters_and_overlong_addresses() -> None:
    (occurrence,) = feed(
        *event(
            "evt-1",
            "SUMMARY:Sync",
            "ORGANIZER:mailto:Jane\x1b@Acme.example",
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:sam\u202e@globex.example",
            f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{'a' * 400}@globex.example",
        )
    ).occurrences
    assert occurrence.organizer == "jane@acme.example"
    assert [a.email for a in occurrence.attendees] == ["sam@globex.example"]


def test_a_uid_with_controls_is_cleaned_and_a_long_one_bounded_and_stable() -> None:
    long_uid = "u" * 3000
    weekly = ("RRULE:FREQ=WEEKLY;COUNT=3",)
    found = feed(
        *event(f"evt{OSC}-1", "SUMMARY:One-off"),
        *event(long_uid + "a", "SUMMARY:Series A", *weekly),
        *event(long_uid + "b", "SUMMARY:Series B", *weekly),
    ).occurrences
    one_off = next(item for item in found if item.title == "One-off")
    assert (one_off.uid, one_off.key) == ("evt]0;owned-1", "evt]0;owned-1|")
    series = [item for item in found if item.title.startswith("Series")]
    assert len(series) == 6
    assert len({item.key for item in series}) == 6
    assert all(len(item.uid) == KEY_LIMIT for item in series)
    assert all(item.key.rpartition("|")[0] == item.uid for item in series)
    assert [item.key for item in found if any(char in item.key for char in RAW)] == []
    again = [item.key for item in feed(*event(long_uid + "a", "SUMMARY:A", *weekly)).occurrences]
    assert again == [item.key for item in series if item.title == "Series A"]
