"""`parse_feed` on the real-world calendars that exercise time zones and X-WR-TIMEZONE."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

import pytest

from service.core.ics import Feed
from service.core.ics.ics import parse_feed

# icalendar warns when it guesses a globally unique TZID (issue_313); pytest makes it an error.
pytestmark = pytest.mark.filterwarnings("ignore::icalendar.error.GloballyUniqueTZIDGuessed")

ICS_DIR: Final = Path(__file__).resolve().parents[1] / "data" / "ics"
ORG_ZONE: Final = "Europe/Berlin"


@cache
def feed(name: str) -> Feed:
    """One parse per file for the whole module: `Feed` values are immutable, so sharing is safe."""
    return parse_feed(
        (ICS_DIR / name).read_bytes(),
        window_start=datetime(1990, 1, 1, tzinfo=UTC),
        window_end=datetime(2031, 1, 1, tzinfo=UTC),
        fallback_zone=ORG_ZONE,
    )


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_owa_display_name_tzids_are_resolved_by_the_table() -> None:
    parsed = feed("node-ical__Office-2012-owa.ics")
    assert parsed.unresolved_tzids == (
        "(GMT+10:00) Canberra, Melbourne, Sydney",
        "(UTC-05:00) Eastern Time (US & Canada)",
    )
    by_title = {item.title.strip(): item for item in parsed.occurrences}
    assert by_title["TEST Syd"].start_at == utc(2020, 10, 28, 2, 30)  # AEDT, +11:00
    assert by_title["TEST Syd"].end_at == utc(2020, 10, 28, 4, 0)
    assert by_title["TEST"].start_at == utc(2020, 10, 28, 17, 30)  # EDT, -04:00
    assert by_title["TEST 3"].start_at == utc(2020, 11, 2, 18, 30)  # EST after Nov 1
    assert all(item.time_uncertain for item in parsed.occurrences)


def test_quoted_owa_display_name_is_eastern_not_the_dtend_zone() -> None:
    parsed = feed("node-ical__windows-quoted-tz-rrule.ics")
    assert parsed.unresolved_tzids == ("(UTC-05:00) Eastern Time (US and Canada)",)
    assert parsed.occurrences[0].start_at == utc(2015, 7, 6, 16, 0)
    assert parsed.occurrences[0].end_at == utc(2015, 7, 6, 20, 0)  # 13:00 Los Angeles


def test_globally_unique_tzids_resolve_without_uncertainty() -> None:
    by_uid = {
        item.uid: item for item in feed("icalendar__issue_313_globally_unique_tzid.ics").occurrences
    }
    assert by_uid["libical-evolution@issue-313"].start_at == utc(2020, 4, 26, 12, 0)
    assert by_uid["mozilla-lightning@issue-313"].start_at == utc(2020, 4, 26, 18, 0)
    assert not any(item.time_uncertain for item in by_uid.values())


def test_ambiguous_local_hour_takes_the_earlier_offset() -> None:
    by_uid = {
        item.uid: item.start_at
        for item in feed("icalendar__issue_722_timezone_transition_ambiguity.ics").occurrences
    }
    assert by_uid == {
        "0": utc(2024, 3, 2, 20, 0),
        "1": utc(2024, 8, 2, 22, 0),
        "2": utc(2024, 5, 4, 22, 0, 1),
        "3": utc(2024, 5, 4, 19, 0, 1),
    }


def test_x_wr_timezone_input_matches_its_golden_output() -> None:
    def shape(name: str) -> set[tuple[str, datetime, datetime]]:
        return {(item.key, item.start_at, item.end_at) for item in feed(name).occurrences}

    assert shape("xwr__moved-event-RECURRENCE-ID.in.ics") == shape(
        "xwr__moved-event-RECURRENCE-ID.out.ics"
    )


def test_floating_time_takes_the_x_wr_timezone() -> None:
    (occurrence,) = feed("rie__issue_86_x_wr_timezone_without_time_zone_in_dt.ics").occurrences
    assert occurrence.start_at == utc(2021, 9, 16, 19, 0)  # 21:00 CEST
    assert not occurrence.time_uncertain


def test_google_utc_times_keep_their_instant_under_x_wr_timezone() -> None:
    new_york = ZoneInfo("America/New_York")
    occurrences = feed("rie__x_wr_timezone_simple_events_issue_59.ics").occurrences
    assert [item.start_at for item in occurrences] == [utc(2021, 12, 22, 17), utc(2021, 12, 23, 2)]
    assert [item.start_at.astimezone(new_york).hour for item in occurrences] == [12, 21]


def test_x_wr_timezone_series_keeps_local_time_across_dst() -> None:
    lisbon = ZoneInfo("Europe/Lisbon")
    occurrences = feed("rie__issue_48_daylight_aware_repeats.ics").occurrences
    winter = next(item for item in occurrences if item.start_at.month == 1)
    summer = next(item for item in occurrences if item.start_at.month == 7)
    assert winter.start_at.hour == summer.start_at.hour + 1
    assert winter.start_at.astimezone(lisbon).time() == summer.start_at.astimezone(lisbon).time()


def test_all_day_start_is_midnight_in_the_calendar_zone() -> None:
    first = feed("rie__issue_148_ignored_exdate.ics").occurrences[0]
    assert first.start_at == utc(2024, 6, 30, 22)  # midnight in Europe/Berlin (CEST)
    assert first.start_at.astimezone(ZoneInfo(ORG_ZONE)).date() == date(2024, 7, 1)
