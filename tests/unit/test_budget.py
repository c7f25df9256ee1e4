"""LocalBudget: one process's share of the key's per-minute budget, on a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from service.adapters.local_budget import LocalBudget
from service.core.errors import SendWindowPassed
from service.core.ports import Purpose
from service.core.sliding_window import WINDOW
from tests.fakes.clock import FakeClock

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def make_budget(*, limit: int = 10, read_share: float = 0.3) -> tuple[LocalBudget, FakeClock]:
    clock = FakeClock(T0)
    return LocalBudget(limit=limit, read_share=read_share, clock=clock), clock


async def acquire_many(budget: LocalBudget, purpose: Purpose, count: int) -> None:
    for _ in range(count):
        await budget.acquire(purpose)


def test_the_window_is_a_little_longer_than_the_servers_minute() -> None:
    assert timedelta(seconds=60) < WINDOW == timedelta(seconds=61)


async def test_acquire_does_not_wait_while_the_window_has_room() -> None:
    budget, clock = make_budget(limit=3)
    await acquire_many(budget, Purpose.CREATE, 3)
    assert clock.now() == T0
    assert await budget.free_for_writes(T0) == 0


async def test_acquire_waits_exactly_until_the_oldest_send_leaves_the_window() -> None:
    budget, clock = make_budget(limit=2)
    await budget.acquire(Purpose.CREATE)
    clock.advance(5)
    await budget.acquire(Purpose.CANCEL)
    await budget.acquire(Purpose.CREATE)
    assert clock.now() == T0 + WINDOW
    await budget.acquire(Purpose.CREATE)
    assert clock.now() == T0 + timedelta(seconds=5) + WINDOW


async def test_reads_are_capped_at_their_share() -> None:
    budget, clock = make_budget(limit=10, read_share=0.3)
    await acquire_many(budget, Purpose.READ, 3)
    assert clock.now() == T0
    await budget.acquire(Purpose.READ)
    assert clock.now() == T0 + WINDOW


async def test_creates_can_still_use_what_reads_left() -> None:
    budget, clock = make_budget(limit=10, read_share=0.3)
    await acquire_many(budget, Purpose.READ, 3)
    assert await budget.free_for_writes(T0) == 7
    await acquire_many(budget, Purpose.CREATE, 7)
    assert clock.now() == T0
    assert await budget.free_for_writes(T0) == 0


async def test_creates_count_against_the_reads_too() -> None:
    budget, clock = make_budget(limit=4, read_share=0.5)
    await acquire_many(budget, Purpose.CREATE, 4)
    await budget.acquire(Purpose.READ)
    assert clock.now() == T0 + WINDOW


async def test_a_tiny_share_still_allows_one_read() -> None:
    budget, clock = make_budget(limit=2, read_share=0.1)
    await budget.acquire(Purpose.READ)
    assert clock.now() == T0
    await budget.acquire(Purpose.READ)
    assert clock.now() == T0 + WINDOW


async def test_observe_adopts_the_limit_the_server_reports() -> None:
    budget, clock = make_budget(limit=10, read_share=0.3)
    await budget.observe(limit=20, remaining=20, now=T0)
    assert await budget.requests_per_minute() == 20
    assert await budget.free_for_writes(T0) == 20
    await acquire_many(budget, Purpose.READ, 6)
    assert clock.now() == T0
    await budget.acquire(Purpose.READ)
    assert clock.now() == T0 + WINDOW


async def test_observe_adopts_a_lower_limit_too() -> None:
    budget, clock = make_budget(limit=10)
    await budget.observe(limit=2, remaining=2, now=T0)
    await acquire_many(budget, Purpose.CREATE, 2)
    assert clock.now() == T0
    await budget.acquire(Purpose.CREATE)
    assert clock.now() == T0 + WINDOW


async def test_observe_aligns_to_the_servers_remaining_count() -> None:
    budget, clock = make_budget(limit=10)
    await budget.acquire(Purpose.CREATE)
    await budget.observe(limit=10, remaining=4, now=T0)
    assert await budget.free_for_writes(T0) == 4
    await acquire_many(budget, Purpose.CREATE, 4)
    assert clock.now() == T0
    await budget.acquire(Purpose.CREATE)
    assert clock.now() == T0 + WINDOW


async def test_observe_never_gives_back_what_we_sent() -> None:
    budget, _ = make_budget(limit=10)
    await budget.observe(limit=10, remaining=7, now=T0)
    await budget.observe(limit=10, remaining=10, now=T0)
    assert await budget.free_for_writes(T0) == 7


async def test_observe_ignores_missing_or_nonsense_headers() -> None:
    budget, _ = make_budget(limit=10)
    await budget.observe(limit=None, remaining=0, now=T0)
    await budget.observe(limit=0, remaining=None, now=T0)
    await budget.observe(limit=None, remaining=None, now=T0)
    assert await budget.requests_per_minute() == 10
    assert await budget.free_for_writes(T0) == 10


async def test_block_delays_the_next_acquire_until_its_end() -> None:
    budget, clock = make_budget(limit=10)
    await budget.block(T0 + timedelta(seconds=30))
    assert await budget.free_for_writes(T0) == 0
    await budget.acquire(Purpose.READ)
    assert clock.now() == T0 + timedelta(seconds=30)
    await budget.acquire(Purpose.CREATE)
    assert clock.now() == T0 + timedelta(seconds=30)


async def test_a_pause_lasts_until_its_end() -> None:
    budget, _ = make_budget()
    until = T0 + timedelta(minutes=5)
    await budget.pause(until=until, reason="HTTP 401 revoked_api_key")
    assert await budget.paused(T0) == (until, "HTTP 401 revoked_api_key")
    assert await budget.paused(until) is None


async def test_no_room_before_the_send_by_time_sends_nothing() -> None:
    budget, clock = make_budget(limit=1)
    await budget.acquire(Purpose.CREATE)
    with pytest.raises(SendWindowPassed):
        await budget.acquire(Purpose.CREATE, by=T0 + timedelta(seconds=30))
    assert clock.now() == T0  # it did not wait for a slot it could not use
    assert await budget.free_for_writes(T0 + WINDOW) == 1  # and counted nothing
    await budget.acquire(Purpose.CREATE, by=T0 + WINDOW)
    assert clock.now() == T0 + WINDOW
