"""The simulator's sliding-window rate limiter, driven by explicit instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.simulator.ratelimit import SlidingWindowLimiter

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
UNIX_T0 = int(T0.timestamp())


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_remaining_counts_down_and_reset_is_when_the_oldest_leaves() -> None:
    limiter = SlidingWindowLimiter(limit=3)
    decisions = [limiter.admit("k", at(second)) for second in (0, 10, 20)]
    assert [d.remaining for d in decisions] == [2, 1, 0]
    assert {d.reset_at for d in decisions} == {UNIX_T0 + 60}
    assert all(d.allowed and d.retry_after is None for d in decisions)


def test_refusal_waits_for_the_oldest_request_and_is_not_logged() -> None:
    limiter = SlidingWindowLimiter(limit=2)
    limiter.admit("k", at(0))
    limiter.admit("k", at(30))
    refused = limiter.admit("k", at(45.5))
    assert (refused.allowed, refused.remaining, refused.retry_after) == (False, 0, 15)
    assert refused.headers()["Retry-After"] == "15"
    again = limiter.admit("k", at(60))
    assert (again.allowed, again.remaining, again.reset_at) == (True, 0, UNIX_T0 + 90)


def test_retry_after_is_at_least_one_second() -> None:
    limiter = SlidingWindowLimiter(limit=1)
    limiter.admit("k", at(0))
    assert limiter.admit("k", at(59.9)).retry_after == 1


def test_keys_have_separate_windows_and_peek_logs_nothing() -> None:
    limiter = SlidingWindowLimiter(limit=1)
    assert limiter.admit("a", at(0)).allowed
    assert limiter.admit("b", at(0)).allowed
    assert limiter.peek("c", at(1)).remaining == 1
    assert limiter.peek(None, at(1)).reset_at == UNIX_T0 + 1
    assert limiter.admit("c", at(1)).allowed
    assert set(limiter.peek("a", at(1)).headers()) == {
        "X-RateLimit-Limit",
        "X-RateLimit-Remaining",
        "X-RateLimit-Reset",
    }
