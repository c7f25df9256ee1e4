"""`parse_feed` on crafted hostile feeds: every recurrence, count and size is bounded.

Each test is fast because the bound works: the unbounded originals took from seconds to a
MemoryError. Where only speed shows the bound (a rule that never matches), the test
asserts the CPU time spent, with a wide margin.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Final, TypeVar

import pytest

from service.core.ics import Feed, FeedError, FeedLimits
from service.core.ics.ics import parse_feed
from service.core.ics.limits import SUB_MINUTE
from service.core.ics.recurrence import MINUTE_SEARCH

T = TypeVar("T")
START: Final = datetime(2026, 3, 2, tzinfo=UTC)
END: Final = START + timedelta(days=29)
CHEAP: Final = 0.5  # CPU seconds; the bounded parses take milliseconds
SKIPPED_SERIES: Final = f"its series {SUB_MINUTE}"
TOO_MANY_STEPS: Final = (
    "repeats more than 50000 times before the window ends (calendars.max_event_repetitions)"
)


def stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def event(uid: str, start: datetime, *lines: str) -> list[str]:
    return [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART:{stamp(start)}",
        "DURATION:PT30M",
        "SUMMARY:Sync",
        *lines,
        "END:VEVENT",
    ]


def calendar(*events: list[str]) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//autojoin tests//EN"]
    lines += [line for item in events for line in item]
    return "\r\n".join([*lines, "END:VCALENDAR", ""]).encode()


def normal() -> list[str]:
    return event("normal@x", START + timedelta(days=1, hours=9))


def parse(
    data: bytes, *, start: datetime = START, end: datetime = END, limits: FeedLimits | None = None
) -> Feed:
    if limits is None:  # the defaults, which are also config.yaml's
        return parse_feed(data, window_start=start, window_end=end, fallback_zone="UTC")
    return parse_feed(data, window_start=start, window_end=end, fallback_zone="UTC", limits=limits)


def cpu_seconds(work: Callable[[], T]) -> tuple[T, float]:
    began = time.process_time()
    result = work()
    return result, time.process_time() - began


def uids(feed: Feed) -> set[str]:
    return {occurrence.uid for occurrence in feed.occurrences}


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=SECONDLY",
        "RRULE:FREQ=SECONDLY;INTERVAL=60",
        "RRULE:FREQ=MINUTELY;BYSECOND=0,30",
        "RRULE:FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0,1",
        "RRULE:freq=secondly;count=5",
    ],
)
def test_a_sub_minute_rule_is_skipped_and_the_rest_of_the_feed_kept(rule: str) -> None:
    flood = event("flood@x", START - timedelta(hours=1), rule)
    feed = parse(calendar(flood, normal()), end=START + timedelta(days=2))
    assert uids(feed) == {"normal@x"}
    assert feed.dropped == (("flood@x", SUB_MINUTE),)


def test_the_overrides_of_a_sub_minute_series_go_with_it() -> None:
    master = event("flood@x", START, "RRULE:FREQ=SECONDLY")
    moved = [
        "BEGIN:VEVENT",
        "UID:flood@x",
        f"RECURRENCE-ID:{stamp(START + timedelta(seconds=5))}",
        f"DTSTART:{stamp(START + timedelta(hours=3))}",
        "DURATION:PT30M",
        "END:VEVENT",
    ]
    feed = parse(calendar(master, moved, normal()))
    assert uids(feed) == {"normal@x"}
    assert feed.dropped == (("flood@x", SUB_MINUTE), ("flood@x", SKIPPED_SERIES))


def test_rdates_less_than_a_minute_apart_are_sub_minute() -> None:
    dates = ",".join(stamp(START + timedelta(hours=2, seconds=20 * n)) for n in range(5))
    feed = parse(calendar(event("rdates@x", START, f"RDATE:{dates}"), normal()))
    assert uids(feed) == {"normal@x"}
    assert feed.dropped == (("rdates@x", SUB_MINUTE),)


def test_a_minutely_rule_that_started_recently_is_expanded() -> None:
    rule = "RRULE:FREQ=MINUTELY;INTERVAL=30;BYHOUR=9,10"
    feed = parse(calendar(event("slots@x", START - timedelta(days=1, hours=15), rule)))
    assert len(feed.occurrences) == 29 * 4
    assert feed.dropped == ()


def test_a_minutely_rule_with_bysetpos_is_refused() -> None:
    # If the position never exists, dateutil would step through every minute for months.
    series = event("search@x", START - timedelta(days=5), "RRULE:FREQ=MINUTELY;BYSETPOS=2")
    feed, spent = cpu_seconds(lambda: parse(calendar(series, normal())))
    assert uids(feed) == {"normal@x"}
    assert feed.dropped == (("search@x", MINUTE_SEARCH),)
    assert spent < CHEAP


def test_ten_million_minutes_from_ten_years_ago_are_refused_without_stepping() -> None:
    series = event("count@x", START.replace(year=2016), "RRULE:FREQ=MINUTELY;COUNT=10000000")
    feed, spent = cpu_seconds(lambda: parse(calendar(series, normal())))
    assert uids(feed) == {"normal@x"}
    assert feed.dropped == (("count@x", TOO_MANY_STEPS),)
    assert spent < CHEAP


def test_a_daily_series_from_ten_years_ago_still_has_its_occurrences() -> None:
    series = event("daily@x", START.replace(year=2016, hour=9), "RRULE:FREQ=DAILY;COUNT=10000000")
    feed = parse(calendar(series))
    assert len(feed.occurrences) == 29
    assert feed.occurrences[0].start_at == START.replace(hour=9)


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "RRULE:FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30",
        "RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=MO",  # DTSTART is a Sunday: never a Monday
        "RRULE:FREQ=DAILY;BYSETPOS=2",
        "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3",
    ],
)
def test_a_rule_that_never_matches_does_not_step_on_to_the_year_9999(rule: str) -> None:
    never = event("never@x", START - timedelta(days=30, hours=-9), rule)
    feed, spent = cpu_seconds(lambda: parse(calendar(never, normal())))
    assert uids(feed) == {"normal@x"}
    assert spent < CHEAP


def test_a_rule_that_stops_matching_keeps_its_last_occurrences() -> None:
    # Matches on 30 and 31 March only: the window sees both, then the rule matches nothing
    # until after the window (it is stopped at the window's end, not in the year 9999).
    rule = "RRULE:FREQ=DAILY;BYMONTH=3;BYMONTHDAY=30,31"
    series = event("late@x", datetime(2026, 3, 30, 9, tzinfo=UTC), rule)
    feed = parse(calendar(series), end=START + timedelta(days=300))
    assert [item.start_at.date().isoformat() for item in feed.occurrences] == [
        "2026-03-30",
        "2026-03-31",
    ]


def test_a_rule_that_expands_into_too_many_repetitions_is_skipped() -> None:
    # Few periods (yearly) but 8,064 repetitions a year: counted as they are stepped.
    rule = "RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY={};BYHOUR={}".format(
        ",".join(str(day) for day in range(1, 29)), ",".join(str(hour) for hour in range(24))
    )
    series = event("hourly@x", START.replace(year=2016), rule)
    feed = parse(calendar(series, normal()))
    assert uids(feed) == {"normal@x"}
    assert [reason for _, reason in feed.dropped] == [TOO_MANY_STEPS]


def test_a_series_is_charged_to_the_feeds_budget_once() -> None:
    # 100 daily periods estimated before expansion, then 101 steps (DTSTART counts once
    # more): the feed is charged 101, not 201.
    series = event("daily@x", END - timedelta(days=100, hours=-9), "RRULE:FREQ=DAILY")
    limits = FeedLimits(max_repetitions=110, max_event_repetitions=110)
    assert len(parse(calendar(series), limits=limits).occurrences) == 29


def test_an_event_with_too_many_occurrences_in_the_window_is_skipped() -> None:
    every_five = event("often@x", START, "RRULE:FREQ=MINUTELY;INTERVAL=5")
    feed = parse(calendar(every_five, normal()))
    assert uids(feed) == {"normal@x"}
    assert feed.dropped == (
        (
            "often@x",
            "has more than 5000 occurrences in the window (calendars.max_event_occurrences)",
        ),
    )


def test_a_feed_with_too_many_occurrences_is_refused() -> None:
    events = [event(f"e{n}@x", START + timedelta(hours=n)) for n in range(11)]
    limits = FeedLimits(max_occurrences=10, max_event_occurrences=10)
    with pytest.raises(FeedError, match="more than 10 occurrences in the window"):
        parse(calendar(*events), limits=limits)


def test_a_feed_whose_events_repeat_too_often_is_refused() -> None:
    events = [event(f"e{n}@x", START, "RRULE:FREQ=DAILY") for n in range(3)]
    limits = FeedLimits(max_repetitions=60, max_event_repetitions=30)
    with pytest.raises(FeedError, match="repeat more than 60 times before the window ends"):
        parse(calendar(*events), limits=limits)


def test_vevents_are_counted_before_anything_is_parsed() -> None:
    events = [event(f"e{n}@x", START) for n in range(2)]
    folded = ["BEGIN:VEV", " ENT", "UID:folded@x", "END:VEVENT"]
    lower = ["begin:vevent", "UID:lower@x", "END:VEVENT"]
    broken = ["THIS IS NOT ICALENDAR"]  # parsing would fail on this line
    data = calendar(*events, folded, lower, broken)
    with pytest.raises(FeedError, match="holds more than 3 events"):
        parse(data, limits=FeedLimits(max_events=3))


def test_a_feed_with_too_many_lines_is_refused_before_parsing() -> None:
    padding = [f"X-PAD:{n}" for n in range(1_000)]
    with pytest.raises(FeedError, match="more than 1000 lines"):
        parse(calendar(event("e@x", START, *padding)), limits=FeedLimits(max_lines=1_000))


def test_feed_limit_errors_never_quote_the_feed() -> None:
    events = [event(f"secret-{n}@x", START, "SUMMARY:pwd=hunter2") for n in range(3)]
    with pytest.raises(FeedError) as caught:
        parse(calendar(*events), limits=FeedLimits(max_events=2))
    assert "secret" not in str(caught.value)
    assert "hunter2" not in str(caught.value)
