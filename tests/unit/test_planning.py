"""Dispatch planning: when a bot is booked, and whether a create sent now is still worth it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from service.core.timing import DispatchTimes, Timing, Verdict, dispatch_times, dispatch_verdict

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
JOIN_AT = START - timedelta(seconds=60)
END_AT = START + timedelta(minutes=30)
TICK = timedelta(microseconds=1)


def times_for(join: float, lead: float, margin: float = 0) -> DispatchTimes:
    timing = Timing(
        join_lead=timedelta(seconds=join),
        min_lead=timedelta(seconds=lead),
        deadline_margin=timedelta(seconds=margin),
    )
    return dispatch_times(START, timing)


def test_the_bot_joins_before_the_start_and_is_booked_before_it_joins() -> None:
    assert times_for(60, 600, 30) == DispatchTimes(
        join_at=datetime(2026, 11, 24, 8, 59, tzinfo=UTC),
        dispatch_at=datetime(2026, 11, 24, 8, 49, tzinfo=UTC),
        deadline=datetime(2026, 11, 24, 8, 58, 30, tzinfo=UTC),
    )


def test_zero_leads_put_every_time_at_the_start() -> None:
    assert times_for(0, 0) == DispatchTimes(join_at=START, dispatch_at=START, deadline=START)


def test_the_first_dispatch_is_never_after_the_deadline() -> None:
    times = times_for(60, 10, 120)
    assert times.dispatch_at == times.deadline == datetime(2026, 11, 24, 8, 57, tzinfo=UTC)


def test_dispatch_times_keep_the_time_zone_of_the_start() -> None:
    times = times_for(90, 3600)
    assert times.join_at.tzinfo is UTC
    assert times.dispatch_at == datetime(2026, 11, 24, 7, 58, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "verdict"),
    [
        (JOIN_AT - timedelta(hours=2), Verdict.ON_TIME),
        (JOIN_AT - TICK, Verdict.ON_TIME),
        (JOIN_AT, Verdict.ON_TIME),
        (JOIN_AT.astimezone(timezone(timedelta(hours=1))), Verdict.ON_TIME),
        (JOIN_AT + TICK, Verdict.LATE),
        (START, Verdict.LATE),
        (END_AT - TICK, Verdict.LATE),
        (END_AT, Verdict.TOO_LATE),
        (END_AT + TICK, Verdict.TOO_LATE),
        (END_AT + timedelta(days=1), Verdict.TOO_LATE),
    ],
)
def test_dispatch_verdict_at_and_around_the_boundaries(now: datetime, verdict: Verdict) -> None:
    assert dispatch_verdict(join_at=JOIN_AT, end_at=END_AT, now=now) is verdict


def test_a_meeting_that_ended_before_its_join_time_is_too_late_even_early() -> None:
    assert dispatch_verdict(join_at=END_AT, end_at=JOIN_AT, now=JOIN_AT) is Verdict.TOO_LATE
