"""SlidingWindow: at most ``limit`` sends in any window of ``length``, at explicit instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.core.errors import SendWindowPassed
from service.core.sliding_window import (
    MIN_WAIT,
    SlidingWindow,
    blocked_for,
    retry_pause,
    unlogged,
)

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
MINUTE = timedelta(seconds=60)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def window_with_sends(*seconds: float, limit: int = 3) -> SlidingWindow:
    window = SlidingWindow(limit=limit, length=MINUTE)
    for second in seconds:
        window.record(at(second))
    return window


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="limit must be at least 1"):
        SlidingWindow(limit=0, length=MINUTE)


def test_each_send_counts_for_exactly_one_length() -> None:
    window = window_with_sends(0, 10, 20)
    assert [window.free(at(s)) for s in (20, 59.999, 60, 69.999, 70, 80)] == [0, 0, 1, 1, 2, 3]
    assert window.used(at(80)) == 0


def test_an_idle_window_lets_only_the_limit_through_in_its_first_length() -> None:
    window = SlidingWindow(limit=3, length=MINUTE)
    sent = []
    for tenth in range(1200):
        now = at(tenth / 10)
        if window.free(now) > 0:
            window.record(now)
            sent.append(tenth / 10)
    assert sent == [0, 0.1, 0.2, 60, 60.1, 60.2]


def test_record_can_count_several_sends_at_once() -> None:
    window = SlidingWindow(limit=5, length=MINUTE)
    window.record(at(0), count=4)
    assert (window.used(at(1)), window.free(at(1))) == (4, 1)


@pytest.mark.parametrize(
    ("sends", "now", "expected"),
    [
        ((), 0, 0),
        ((0, 10), 25, 25),
        ((0, 10, 20), 25, 60),
        ((0, 10, 20), 60, 60),
        ((0, 10, 20), 61, 61),
        ((0, 10, 20), 30, 60),
        ((0, 0, 0), 30, 60),
        ((0, 10, 20, 30), 60, 70),
        ((0, 10, 20), 90, 90),
    ],
)
def test_next_free_at_is_the_exact_instant_one_more_send_fits(
    sends: tuple[float, ...], now: float, expected: float
) -> None:
    window = window_with_sends(*sends)
    assert window.next_free_at(at(now)) == at(expected)
    if expected > now:
        assert window.free(at(expected) - timedelta(microseconds=1)) == 0
    assert window.free(at(expected)) >= 1


def test_block_stops_all_sends_until_its_end() -> None:
    window = SlidingWindow(limit=3, length=MINUTE)
    window.block(at(30))
    assert window.free(at(0)) == 0
    assert window.free(at(29.999)) == 0
    assert window.next_free_at(at(0)) == at(30)
    assert window.free(at(30)) == 3
    assert window.next_free_at(at(30)) == at(30)


def test_an_earlier_block_does_not_shorten_a_later_one() -> None:
    window = SlidingWindow(limit=3, length=MINUTE)
    window.block(at(30))
    window.block(at(10))
    assert window.next_free_at(at(0)) == at(30)
    window.block(at(45))
    assert window.next_free_at(at(0)) == at(45)


def test_a_block_ending_in_a_full_window_waits_for_the_window_too() -> None:
    window = window_with_sends(0, 10, 20)
    window.block(at(5))
    assert window.next_free_at(at(1)) == at(60)


def test_align_counts_the_sends_the_server_saw_but_we_did_not() -> None:
    window = window_with_sends(0, 10, limit=5)
    window.align(server_used=5, now=at(20))
    assert (window.used(at(20)), window.free(at(20))) == (5, 0)
    # Our own sends leave first; the three aligned ones are dated at the align instant.
    assert window.next_free_at(at(20)) == at(60)
    assert [window.free(at(s)) for s in (60, 70, 79.999, 80)] == [1, 2, 2, 5]


def test_align_never_forgets_our_own_sends() -> None:
    window = window_with_sends(0, 10, limit=5)
    window.align(server_used=1, now=at(20))
    assert window.used(at(20)) == 2


def test_align_with_more_than_the_limit_waits_for_enough_to_leave() -> None:
    window = SlidingWindow(limit=2, length=MINUTE)
    window.record(at(0))
    window.align(server_used=4, now=at(10))
    assert window.free(at(10)) == 0
    assert window.next_free_at(at(10)) == at(70)


@given(
    limit=st.integers(min_value=1, max_value=5),
    length_ms=st.integers(min_value=1, max_value=120_000),
    steps_ms=st.lists(st.integers(min_value=0, max_value=40_000), max_size=60),
)
def test_sending_only_when_free_never_exceeds_the_limit_in_any_window(
    limit: int, length_ms: int, steps_ms: list[int]
) -> None:
    length = timedelta(milliseconds=length_ms)
    window = SlidingWindow(limit=limit, length=length)
    now, sent = T0, []
    for step in steps_ms:
        now += timedelta(milliseconds=step)
        assert (window.next_free_at(now) == now) == (window.free(now) > 0)
        if window.free(now) > 0:
            window.record(now)
            sent.append(now)
    for start in sent:
        assert sum(start <= other < start + length for other in sent) <= limit


# The arithmetic of a budget kept as a log of sends in a store (SqlBudget, MemoryBudget).
def test_a_block_lasts_until_its_end() -> None:
    assert blocked_for(at(10), at(4)) == 6.0
    assert blocked_for(at(10), at(10)) is None
    assert blocked_for(None, at(4)) is None


def test_a_retry_waits_at_least_a_moment_and_never_past_the_send_by_time() -> None:
    assert retry_pause(0.0, now=T0, by=None) == MIN_WAIT
    assert retry_pause(2.5, now=T0, by=at(2.5)) == 2.5
    with pytest.raises(SendWindowPassed):
        retry_pause(2.5, now=T0, by=at(2))


@pytest.mark.parametrize(
    ("limit", "remaining", "logged", "unseen"),
    [(10, 4, 6, 0), (10, 4, 2, 4), (10, 9, 3, 0), (10, 0, 10, 0)],
)
def test_sends_mavera_counts_beyond_the_log_are_the_unlogged_ones(
    limit: int, remaining: int, logged: int, unseen: int
) -> None:
    assert unlogged(limit=limit, remaining=remaining, logged=logged) == unseen
