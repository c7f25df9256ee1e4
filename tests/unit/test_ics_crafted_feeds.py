"""`parse_feed` on small crafted feeds: zone fallbacks, defaults, drops, errors, fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core.errors import ServiceError
from service.core.ics import Attendee, Feed, FeedError
from service.core.ics.ics import parse_feed
from service.core.meeting_links import NormalizedLink
from service.core.model import Platform

CRAFTED: Final = Path(__file__).resolve().parents[1] / "data" / "crafted"
WINDOW_START: Final = datetime(2024, 1, 1, tzinfo=UTC)
WINDOW_END: Final = datetime(2026, 1, 1, tzinfo=UTC)
ORG_ZONE: Final = "America/Chicago"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def parse_bytes(data: bytes, *, start: datetime = WINDOW_START, end: datetime = WINDOW_END) -> Feed:
    return parse_feed(data, window_start=start, window_end=end, fallback_zone=ORG_ZONE)


def parse(name: str) -> Feed:
    return parse_bytes((CRAFTED / name).read_bytes())


def calendar(*lines: str) -> bytes:
    body = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//autojoin tests//EN", *lines]
    return ("\r\n".join([*body, "END:VCALENDAR", ""])).encode()


def event(uid: str, *lines: str) -> tuple[str, ...]:
    return ("BEGIN:VEVENT", f"UID:{uid}", *lines, "END:VEVENT")


def test_event_without_end_gets_a_default_length_and_is_marked() -> None:
    by_key = {item.key: item for item in parse("end_defaults.ics").occurrences}
    no_end = by_key["no-end@example.com|"]
    assert (no_end.end_at - no_end.start_at, no_end.end_assumed) == (timedelta(hours=1), True)
    all_day = by_key["all-day-no-end@example.com|"]
    assert (all_day.all_day, all_day.end_assumed) == (True, True)
    assert all_day.end_at - all_day.start_at == timedelta(days=1)
    assert not by_key["explicit-end@example.com|"].end_assumed


def test_a_one_off_event_keeps_its_key_when_it_moves() -> None:
    def keys(start: str) -> list[str]:
        data = "\r\n".join(
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//t//EN",
                *event(
                    "move@example.com",
                    f"DTSTART:{start}",
                    "DTEND:20250210T100000Z",
                    "SUMMARY:Moved",
                ),
                "END:VCALENDAR",
                "",
            ]
        ).encode()
        feed = parse_feed(
            data, window_start=utc(2025, 1, 1), window_end=utc(2025, 3, 1), fallback_zone="UTC"
        )
        return [item.key for item in feed.occurrences]

    assert keys("20250210T090000Z") == keys("20250210T093000Z") == ["move@example.com|"]


def test_duration_gives_the_end_of_every_instance() -> None:
    series = [item for item in parse("end_defaults.ics").occurrences if item.uid.startswith("dur")]
    assert [(item.start_at, item.end_at) for item in series] == [
        (utc(2025, 2, 10, 13), utc(2025, 2, 10, 13, 45)),
        (utc(2025, 2, 17, 13), utc(2025, 2, 17, 13, 45)),
    ]
    assert not any(item.end_assumed for item in series)


def test_event_without_dtstart_is_dropped_and_the_others_kept() -> None:
    parsed = parse("missing_dtstart.ics")
    assert parsed.dropped == (("no-start@example.com", "no DTSTART"),)
    assert [item.uid for item in parsed.occurrences] == ["first@example.com", "third@example.com"]


def test_unparseable_value_drops_its_whole_series() -> None:
    data = calendar(
        *event("s@x", "DTSTART:20250301T090000Z", "RRULE:FREQ=DAILY;COUNT=3"),
        *event("s@x", "RECURRENCE-ID:20250302T090000Z", "DTSTART:20250302T1000"),
        *event("ok@x", "DTSTART:20250301T120000Z"),
    )
    parsed = parse_bytes(data)
    assert parsed.dropped == (
        ("s@x", "another event of its series is unparseable"),
        ("s@x", "unparseable DTSTART"),
    )
    assert [item.uid for item in parsed.occurrences] == ["ok@x"]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("several_calendars.ics", "2 top-level components"),
        ("empty.ics", "no VCALENDAR"),
        ("garbage.ics", "not valid iCalendar"),
    ],
)
def test_unreadable_feeds_raise_feed_error(name: str, problem: str) -> None:
    with pytest.raises(FeedError, match=problem) as caught:
        parse(name)
    assert isinstance(caught.value, ServiceError)
    assert "Sign in" not in str(caught.value)  # the feed's content is never quoted


def test_bare_top_level_vevent_is_read_as_a_calendar() -> None:
    data = "\r\n".join([*event("bare@x", "DTSTART:20250301T090000Z"), ""]).encode()
    assert [item.uid for item in parse_bytes(data).occurrences] == ["bare@x"]


def test_other_top_level_component_is_a_feed_error() -> None:
    with pytest.raises(FeedError, match="no VCALENDAR"):
        parse_bytes(b"BEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\n")


def test_outlook_clip_window_is_reported() -> None:
    parsed = parse("outlook_meetings.ics")
    assert (parsed.clip_start_at, parsed.clip_end_at) == (utc(2025, 3, 1), utc(2025, 6, 1))
    assert parse("end_defaults.ics").clip_start_at is None


def test_outlook_meeting_fields() -> None:
    by_uid = {item.uid: item for item in parse("outlook_meetings.ics").occurrences}
    teams = by_uid["040000008200E00074C5B7101A82E008000000000000000000000000TEAMS"]
    assert (teams.title, teams.start_at, teams.sequence) == (
        "Quarterly planning",
        utc(2025, 3, 17, 9),
        3,
    )
    assert teams.organizer == "ana.lopez@example.com"
    assert teams.attendees == (
        Attendee(email="ben@example.com", partstat="ACCEPTED", role="REQ-PARTICIPANT"),
        Attendee(email="room.4@example.com", partstat="TENTATIVE", role="OPT-PARTICIPANT"),
    )
    assert teams.link is not None
    assert teams.link.platform is Platform.MICROSOFT_TEAMS
    assert teams.link.url.startswith("https://teams.microsoft.com/l/meetup-join/19%3ameeting_")
    assert (teams.cancelled, teams.tentative, teams.time_uncertain) == (False, False, False)


def test_status_cancelled_on_the_master_cancels_its_override() -> None:
    series = [
        item
        for item in parse("outlook_meetings.ics").occurrences
        if item.uid.startswith("cancelled")
    ]
    assert [(item.key.rpartition("|")[2], item.start_at) for item in series] == [
        ("20250318T080000Z", utc(2025, 3, 18, 8)),
        ("20250325T080000Z", utc(2025, 3, 26, 8)),  # the moved instance keeps its slot key
        ("20250401T070000Z", utc(2025, 4, 1, 7)),
    ]
    assert all(item.cancelled for item in series)


def test_cancelled_words_in_the_title_and_free_busy_do_not_cancel() -> None:
    by_uid = {item.uid: item for item in parse("outlook_meetings.ics").occurrences}
    tentative = by_uid["tentative@example.com"]
    assert (tentative.cancelled, tentative.tentative) == (False, True)
    assert tentative.link == NormalizedLink(
        platform=Platform.GOOGLE_MEET, url="https://meet.google.com/abc-defg-hij"
    )


def test_conference_with_video_feature_outranks_url_and_location() -> None:
    by_uid = {item.uid: item for item in parse("outlook_meetings.ics").occurrences}
    assert by_uid["conference@example.com"].link == NormalizedLink(
        platform=Platform.ZOOM, url="https://us02web.zoom.us/j/22222222222"
    )


def test_events_without_uid_get_stable_distinct_uids() -> None:
    first, again = parse("no_uid.ics"), parse("no_uid.ics")
    keys = [item.key for item in first.occurrences]
    assert keys == [item.key for item in again.occurrences]
    assert len(set(keys)) == 4
    assert all(key.startswith("autojoin-no-uid-") for key in keys)
    assert len({item.uid for item in first.occurrences}) == 3  # the series shares one


def test_this_and_future_override_keys_each_instance_by_its_own_slot() -> None:
    data = calendar(
        *event(
            "s@x", "DTSTART:20250301T090000Z", "DTEND:20250301T100000Z", "RRULE:FREQ=DAILY;COUNT=4"
        ),
        *event(
            "s@x",
            "RECURRENCE-ID;RANGE=THISANDFUTURE:20250303T090000Z",
            "DTSTART:20250303T110000Z",
            "DTEND:20250303T120000Z",
        ),
    )
    keys = [(item.key, item.start_at) for item in parse_bytes(data).occurrences]
    assert keys == [
        ("s@x|20250301T090000Z", utc(2025, 3, 1, 9)),
        ("s@x|20250302T090000Z", utc(2025, 3, 2, 9)),
        ("s@x|20250303T090000Z", utc(2025, 3, 3, 11)),
        ("s@x|20250304T090000Z", utc(2025, 3, 4, 11)),
    ]


def test_a_feed_cannot_supply_the_private_source_mark() -> None:
    data = calendar(
        *event("a@x", "DTSTART:20250301T090000Z", "SUMMARY:A", "X-AUTOJOIN-SOURCE:1"),
        *event("b@x", "DTSTART:20250302T090000Z", "SUMMARY:B", "X-AUTOJOIN-SOURCE:0"),
    )
    titles = [(item.uid, item.title) for item in parse_bytes(data).occurrences]
    assert titles == [("a@x", "A"), ("b@x", "B")]


def test_window_returns_events_still_running_at_its_start() -> None:
    data = calendar(
        *event("running@x", "DTSTART:20250301T090000Z", "DTEND:20250301T110000Z"),
        *event("ended@x", "DTSTART:20250301T080000Z", "DTEND:20250301T100000Z"),
        *event("later@x", "DTSTART:20250301T120000Z", "DTEND:20250301T130000Z"),
    )
    parsed = parse_bytes(data, start=utc(2025, 3, 1, 10), end=utc(2025, 3, 1, 12))
    assert [item.uid for item in parsed.occurrences] == ["running@x"]


@pytest.mark.parametrize(
    ("start", "end", "zone", "problem"),
    [
        (datetime(2025, 1, 1), WINDOW_END, ORG_ZONE, "window_start must be an aware"),
        (WINDOW_START, datetime(2026, 1, 1), ORG_ZONE, "window_end must be an aware"),
        (WINDOW_END, WINDOW_START, ORG_ZONE, "must be after"),
        (WINDOW_START, WINDOW_END, "Mars/Base", "not an IANA time zone"),
    ],
)
def test_bad_arguments_are_value_errors(
    start: datetime, end: datetime, zone: str, problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_feed(calendar(), window_start=start, window_end=end, fallback_zone=zone)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_parse_or_raise_feed_error(data: bytes) -> None:
    try:
        parsed = parse_bytes(data)
    except FeedError:
        return
    assert all(item.start_at.tzinfo is UTC for item in parsed.occurrences)


PROPERTY_LINES: Final = st.sampled_from(
    [
        "DTSTART:20250301T090000Z",
        "DTSTART;TZID=Nowhere/Zone:20250301T090000",
        "DTSTART;VALUE=DATE:20250301",
        "DTSTART:2025",
        "DTEND:20250301T080000Z",
        "DURATION:-PT1H",
        "DURATION:nonsense",
        "RRULE:FREQ=DAILY;COUNT=3",
        "RRULE:FREQ=SOMETIMES",
        "RECURRENCE-ID:20250302T090000Z",
        "RECURRENCE-ID;RANGE=THISANDFUTURE:20250302T090000Z",
        "EXDATE:20250302T090000Z,bad",
        "RDATE;VALUE=PERIOD:20250305T090000Z/PT2H",
        "STATUS:CANCELLED",
        "SEQUENCE:x",
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:a@example.com",
        "URL:https://us02web.zoom.us/j/85123456789",
    ]
)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.lists(PROPERTY_LINES, max_size=6), max_size=4))
def test_odd_property_mixes_never_crash(events: list[list[str]]) -> None:
    lines = [line for index, props in enumerate(events) for line in event(f"e{index % 2}", *props)]
    try:
        parsed = parse_bytes(calendar(*lines))
    except FeedError:
        return
    assert len({item.key for item in parsed.occurrences}) == len(parsed.occurrences)
