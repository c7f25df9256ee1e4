"""When a bot's status is read next: often where changes happen, never after tracking ends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.core.model import TERMINAL_STATUSES, BotStatus
from service.core.polling import PollingPolicy, next_check_at

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
POLICY = PollingPolicy(
    in_call=timedelta(seconds=10),
    near_join=timedelta(seconds=30),
    far=timedelta(minutes=30),
    processing=timedelta(minutes=1),
)
TRACK_UNTIL = T0 + timedelta(hours=8)


def check(
    status: str | None,
    *,
    join_in: timedelta,
    track_until: datetime = TRACK_UNTIL,
    now: datetime = T0,
) -> datetime | None:
    return next_check_at(
        status, join_at=now + join_in, track_until=track_until, now=now, policy=POLICY
    )


@pytest.mark.parametrize(
    "status", ["joining_call", "in_waiting_room", "in_call_not_recording", "in_call_recording"]
)
def test_a_bot_in_the_call_is_read_at_the_in_call_interval(status: str) -> None:
    assert check(status, join_in=-timedelta(minutes=5)) == T0 + timedelta(seconds=10)


@pytest.mark.parametrize("status", ["call_ended", "recording_done"])
def test_a_processing_bot_is_read_at_the_processing_interval(status: str) -> None:
    assert check(status, join_in=-timedelta(hours=1)) == T0 + timedelta(minutes=1)


def test_an_unknown_status_is_read_slowly() -> None:
    assert check("bot_sleeping", join_in=-timedelta(minutes=5)) == T0 + timedelta(minutes=30)


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
def test_a_terminal_bot_is_not_read_again(status: str) -> None:
    assert check(status, join_in=timedelta(minutes=5)) is None


@pytest.mark.parametrize("past", [timedelta(0), timedelta(seconds=1), timedelta(days=2)])
def test_nothing_is_read_once_tracking_has_ended(past: timedelta) -> None:
    assert check("in_call_recording", join_in=timedelta(0), track_until=T0 - past) is None


@pytest.mark.parametrize(
    ("join_in", "expected"),
    [
        (timedelta(seconds=30), timedelta(seconds=10)),
        (timedelta(seconds=5), timedelta(seconds=10)),
        (-timedelta(minutes=2), timedelta(seconds=10)),
        (timedelta(seconds=31), timedelta(seconds=1)),
        (timedelta(minutes=10), timedelta(minutes=9, seconds=30)),
        (timedelta(minutes=30, seconds=30), timedelta(minutes=30)),
        (timedelta(days=3), timedelta(minutes=30)),
    ],
)
def test_a_pending_bot_is_read_often_near_its_join_and_seldom_before(
    join_in: timedelta, expected: timedelta
) -> None:
    assert check("pending", join_in=join_in) == T0 + expected


@pytest.mark.parametrize("seconds_ahead", [31, 45, 60, 600, 1799, 1830, 1831, 7200])
def test_a_pending_bot_far_ahead_is_read_in_time_to_watch_its_join(seconds_ahead: int) -> None:
    join_at = T0 + timedelta(seconds=seconds_ahead)
    at = check("pending", join_in=join_at - T0)
    assert at is not None
    assert T0 < at <= join_at - POLICY.near_join


@pytest.mark.parametrize("status", ["pending", "in_call_recording", "call_ended", "bot_sleeping"])
def test_the_next_read_is_never_after_the_tracking_deadline(status: str) -> None:
    track_until = T0 + timedelta(seconds=3)
    assert check(status, join_in=timedelta(hours=1), track_until=track_until) == track_until


STATUSES = st.one_of(st.none(), st.sampled_from(list(BotStatus)), st.text(min_size=1, max_size=12))
DURATIONS = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=2))
OFFSETS = st.timedeltas(min_value=-timedelta(days=3), max_value=timedelta(days=3))


@given(
    status=STATUSES,
    join_offset=OFFSETS,
    track_offset=OFFSETS,
    in_call=DURATIONS,
    near_join=DURATIONS,
    far=DURATIONS,
    processing=DURATIONS,
)
def test_the_next_read_is_none_or_after_now_and_by_the_deadline(
    status: str | None,
    join_offset: timedelta,
    track_offset: timedelta,
    in_call: timedelta,
    near_join: timedelta,
    far: timedelta,
    processing: timedelta,
) -> None:
    policy = PollingPolicy(in_call=in_call, near_join=near_join, far=far, processing=processing)
    track_until = T0 + track_offset
    at = next_check_at(
        status, join_at=T0 + join_offset, track_until=track_until, now=T0, policy=policy
    )
    assert at is None or T0 < at <= track_until
    if status in TERMINAL_STATUSES or track_until <= T0:
        assert at is None
    else:
        assert at is not None
