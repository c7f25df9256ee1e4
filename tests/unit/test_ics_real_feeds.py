"""`parse_feed` on the 37 real-world calendars in tests/data/ics, against the README's counts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Final

import pytest

from service.core.ics import Feed, Occurrence
from service.core.ics.ics import parse_feed
from service.core.meeting_links import NormalizedLink
from service.core.model import Platform

# icalendar warns when it guesses a globally unique TZID (issue_313); pytest makes it an error.
pytestmark = pytest.mark.filterwarnings("ignore::icalendar.error.GloballyUniqueTZIDGuessed")

ICS_DIR: Final = Path(__file__).resolve().parents[1] / "data" / "ics"
WINDOW_START: Final = datetime(1990, 1, 1, tzinfo=UTC)
WINDOW_END: Final = datetime(2031, 1, 1, tzinfo=UTC)
ORG_ZONE: Final = "Europe/Berlin"
NO_DTSTART_FILE: Final = "icalendar__rfc_7986_conferences.ics"

# tests/data/ics/README.md: the library's occurrence count over WINDOW_START..WINDOW_END.
README_COUNTS: Final = {
    "allenporter-ical__google_calendar_invalid_offset.ics": 8,
    "allenporter-ical__office_356_custom_timezone.ics": 51,
    "icalendar__issue_112_missing_tzinfo_on_exdate.ics": 11,
    "icalendar__issue_313_globally_unique_tzid.ics": 3,
    "icalendar__issue_722_timezone_transition_ambiguity.ics": 4,
    "icalendar__timezone_same_start.ics": 1,
    "icalevents__multi_exdate_same_line_ms.ics": 5,
    "icalevents__recurr_id_dtstart_missmatch.ics": 7,
    "icalevents__recurrenceid_ms.ics": 41,
    "icalevents__recurring_override.ics": 644,
    "icalevents__status_and_url.ics": 640,
    "node-ical__Office-2012-owa.ics": 90,
    "node-ical__exchange_whole_day_moved_recurrence.ics": 51,
    "node-ical__ms_timezones.ics": 137,
    "node-ical__windows-quoted-tz-rrule.ics": 8,
    "rie__daylight_saving_time.ics": 4016,
    "rie__issue_107_omitting_last_event.ics": 23,
    "rie__issue_113_period_in_rdate.ics": 9,
    "rie__issue_117_until_before_dtstart.ics": 0,
    "rie__issue_128_only_first_event.ics": 7,
    "rie__issue_148_ignored_exdate.ics": 2,
    "rie__issue_163_deleted_modification.ics": 111,
    "rie__issue_173_only_modifications_error.ics": 2711,
    "rie__issue_18_cancel_status.ics": 3,
    "rie__issue_201_mixed_datetime_and_date.ics": 1,
    "rie__issue_20_exdate_ignored.ics": 7,
    "rie__issue_253_additional_recurrence_id.ics": 2,
    "rie__issue_27_t1.ics": 2,
    "rie__issue_28_rrule_with_UTC_endinginZ.ics": 24,
    "rie__issue_48_daylight_aware_repeats.ics": 537,
    "rie__issue_62_moved_event.ics": 110,
    "rie__issue_75_range_parameter.ics": 193,
    "rie__issue_86_x_wr_timezone_without_time_zone_in_dt.ics": 1,
    "rie__x_wr_timezone_simple_events_issue_59.ics": 2,
    "xwr__moved-event-RECURRENCE-ID.in.ics": 110,
    "xwr__moved-event-RECURRENCE-ID.out.ics": 110,
}
# Naive (unresolved TZID) in the library; here resolved by the fallbacks and flagged.
# The README counts Office-2012-owa's 90; windows-quoted's DTSTART TZID is an OWA display name
# too, which the library silently placed in DTEND's zone (America/Los_Angeles).
UNCERTAIN: Final = {
    "node-ical__Office-2012-owa.ics": 90,
    "node-ical__windows-quoted-tz-rrule.ics": 8,
}
ALL_DAY: Final = {
    "icalevents__recurrenceid_ms.ics": 41,
    "node-ical__exchange_whole_day_moved_recurrence.ics": 51,
}
CANCELLED: Final = {"rie__issue_18_cancel_status.ics": 1, "icalevents__status_and_url.ics": 2}


@cache
def feed(name: str) -> Feed:
    """One parse per file for the whole module: `Feed` values are immutable, so sharing is safe."""
    data = (ICS_DIR / name).read_bytes()
    return parse_feed(
        data, window_start=WINDOW_START, window_end=WINDOW_END, fallback_zone=ORG_ZONE
    )


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def starts(name: str) -> list[datetime]:
    return [occurrence.start_at for occurrence in feed(name).occurrences]


def by_key(name: str) -> dict[str, Occurrence]:
    return {occurrence.key: occurrence for occurrence in feed(name).occurrences}


def test_every_real_calendar_has_an_expectation() -> None:
    files = {path.name for path in ICS_DIR.glob("*.ics")}
    assert files == set(README_COUNTS) | {NO_DTSTART_FILE}
    assert len(files) == 37


@pytest.mark.parametrize("name", sorted(README_COUNTS))
def test_occurrence_count_matches_the_library(name: str) -> None:
    parsed = feed(name)
    assert len(parsed.occurrences) == README_COUNTS[name]
    assert sum(item.time_uncertain for item in parsed.occurrences) == UNCERTAIN.get(name, 0)
    if name in ALL_DAY:
        assert sum(item.all_day for item in parsed.occurrences) == ALL_DAY[name]
    assert sum(item.cancelled for item in parsed.occurrences) == CANCELLED.get(name, 0)


@pytest.mark.parametrize("name", sorted(README_COUNTS))
def test_occurrences_are_utc_ordered_and_uniquely_keyed(name: str) -> None:
    occurrences = feed(name).occurrences
    assert all(item.start_at.tzinfo is UTC and item.end_at.tzinfo is UTC for item in occurrences)
    assert all(item.end_at >= item.start_at for item in occurrences)
    assert list(occurrences) == sorted(occurrences, key=lambda item: (item.start_at, item.key))
    assert len({item.key for item in occurrences}) == len(occurrences)
    assert all(item.key.rpartition("|")[0] == item.uid for item in occurrences)
    assert not [reason for _, reason in feed(name).dropped if "duplicate" in reason]


def test_event_without_dtstart_is_dropped_and_the_rest_kept() -> None:
    parsed = feed(NO_DTSTART_FILE)
    assert parsed.dropped == (("?", "no DTSTART"),)
    assert parsed.occurrences == ()


def test_malformed_tzid_that_swallowed_the_date_drops_only_its_series() -> None:
    parsed = feed("node-ical__ms_timezones.ics")
    assert [reason for _, reason in parsed.dropped] == ["unparseable DTSTART"]
    assert parsed.dropped[0][0].startswith("040000008200E00074C5B7101A82E008")
    assert "Log Yesterday's Jira time" not in {item.title for item in parsed.occurrences}
    assert len(parsed.occurrences) == 137


def test_cancelled_instance_is_returned_and_flagged() -> None:
    occurrences = feed("rie__issue_18_cancel_status.ics").occurrences
    assert [(item.start_at, item.cancelled) for item in occurrences] == [
        (utc(2020, 1, 28, 21, 0), False),
        (utc(2020, 1, 29, 21, 0), True),
        (utc(2020, 1, 30, 21, 0), False),
    ]


def test_moved_instance_keeps_the_key_of_its_original_slot() -> None:
    moved = by_key("rie__issue_62_moved_event.ics")[
        "38m812jicsrer5gorh3mlp7qhc@google.com|20211231T203000Z"
    ]
    assert moved.start_at == utc(2021, 12, 17, 20, 30)
    assert moved.end_assumed  # the override has no DTEND
    december = [
        item for item in feed("rie__issue_62_moved_event.ics").occurrences if item.uid == moved.uid
    ]
    assert not [item for item in december if item.start_at == utc(2021, 12, 31, 20, 30)]


def test_higher_sequence_with_exdate_wins_issue_148() -> None:
    occurrences = feed("rie__issue_148_ignored_exdate.ics").occurrences
    assert [item.key for item in occurrences] == ["111|20240701", "111|20240729"]
    assert {(item.title, item.sequence) for item in occurrences} == {("test123 - edited", 2)}


def test_exdate_in_newer_master_removes_older_override_issue_163() -> None:
    keys = by_key("rie__issue_163_deleted_modification.ics")
    assert "111|20240819" not in keys
    assert "111|20240729" in keys
    assert "111|20240909" in keys


def test_stale_lower_sequence_series_adds_nothing_issue_253() -> None:
    assert list(by_key("rie__issue_253_additional_recurrence_id.ics")) == [
        "111|20240701",
        "111|20240715",
    ]


def test_exdate_in_utc_against_a_tzid_series() -> None:
    assert starts("rie__issue_27_t1.ics") == [utc(2020, 4, 26, 12), utc(2020, 4, 28, 12)]
    first_starts = starts("rie__issue_20_exdate_ignored.ics")
    assert utc(2019, 11, 26, 15, 15) not in first_starts  # excluded by an EXDATE in UTC
    assert utc(2019, 11, 12, 15, 15) in first_starts


def test_comma_separated_exchange_exdates() -> None:
    assert starts("icalevents__multi_exdate_same_line_ms.ics") == [
        utc(2022, 3, 11, 16),  # EST
        utc(2022, 3, 25, 15),  # EDT; 18 March, 1 and 8 April are excluded
        utc(2022, 4, 15, 15),
        utc(2022, 4, 22, 15),
        utc(2022, 4, 29, 15),
    ]


def test_vanity_zoom_link_in_folded_html_description() -> None:
    links = {item.link for item in feed("rie__issue_48_daylight_aware_repeats.ics").occurrences}
    assert links == {
        NormalizedLink(
            platform=Platform.ZOOM,
            url="https://videoconf-colibri.zoom.us/j/93800310242?pwd=K3FBUVJUV2hrTm1OR2RWb0ZabTJkZz09",
        )
    }


def test_anonymised_meet_code_gives_no_link() -> None:
    occurrences = feed("rie__issue_173_only_modifications_error.ics").occurrences
    assert {item.link for item in occurrences} == {None}


@pytest.mark.parametrize(
    "name",
    ["icalevents__multi_exdate_same_line_ms.ics", "icalevents__recurr_id_dtstart_missmatch.ics"],
)
def test_teams_text_location_without_url_gives_no_link(name: str) -> None:
    assert {item.link for item in feed(name).occurrences} == {None}


def test_exchange_all_day_series_is_all_day_with_day_keys() -> None:
    occurrences = feed("icalevents__recurrenceid_ms.ics").occurrences
    assert all(item.all_day for item in occurrences)
    stamps = Counter(len(item.key.rpartition("|")[2]) for item in occurrences)
    assert stamps == {8: 41}


def test_mixed_date_and_datetime_is_all_day_from_dtstart() -> None:
    (occurrence,) = feed("rie__issue_201_mixed_datetime_and_date.ics").occurrences
    assert occurrence.all_day


def test_this_and_future_instances_get_distinct_slot_keys() -> None:
    occurrences = feed("rie__issue_75_range_parameter.ics").occurrences
    assert len({item.key for item in occurrences}) == 193


def test_tentative_status_is_reported() -> None:
    occurrences = feed("allenporter-ical__google_calendar_invalid_offset.ics").occurrences
    assert all(item.tentative and not item.cancelled for item in occurrences)
