"""Shared state on every backend: one request budget per key, pauses, singleton leases."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from service.adapters.sql.shared_budget import key_id
from service.core.errors import SendWindowPassed
from service.core.ports import Purpose, RequestBudget
from service.credentials import ApiKey
from tests.backends import Stores
from tests.conftest import T0
from tests.fakes.clock import FakeClock

KEY = ApiKey("mvra_live_" + "k" * 30)


async def budget(stores: Stores, clock: FakeClock, limit: int = 6) -> RequestBudget:
    return await stores.budget(key_id=key_id(KEY), limit=limit, read_share=0.5, clock=clock)


async def test_replicas_share_one_window(stores: Stores, clock: FakeClock) -> None:
    replicas = [await budget(stores, clock) for _ in range(3)]
    for i in range(6):
        await replicas[i % 3].acquire(Purpose.CREATE)
    assert clock.now() == T0  # six fit in the window without waiting
    assert await replicas[0].free_for_writes(clock.now()) == 0
    await replicas[2].acquire(Purpose.CREATE)
    assert clock.now() == T0 + timedelta(seconds=61)  # the seventh waited for the window


async def test_concurrent_acquires_never_exceed_the_limit(stores: Stores, clock: FakeClock) -> None:
    replicas = [await budget(stores, clock, limit=5) for _ in range(3)]
    await asyncio.gather(*(replica.acquire(Purpose.CREATE) for replica in replicas * 2))
    # Five went at once; the sixth had to wait until the first five left the window.
    assert clock.now() >= T0 + timedelta(seconds=61)
    assert await replicas[0].free_for_writes(clock.now()) == 4


async def test_reads_are_capped_at_their_share(stores: Stores, clock: FakeClock) -> None:
    shared = await budget(stores, clock)
    for _ in range(3):
        await shared.acquire(Purpose.READ)
    assert await shared.free_for_writes(clock.now()) == 3
    await shared.acquire(Purpose.CREATE)
    assert clock.now() == T0
    await shared.acquire(Purpose.READ)  # the fourth read waits; writes would not
    assert clock.now() == T0 + timedelta(seconds=61)


async def test_a_429_blocks_every_replica(stores: Stores, clock: FakeClock) -> None:
    one, other = await budget(stores, clock), await budget(stores, clock)
    await one.block(T0 + timedelta(seconds=20))
    assert await other.free_for_writes(T0) == 0
    await other.acquire(Purpose.CREATE)
    assert clock.now() == T0 + timedelta(seconds=20)


async def test_the_server_limit_is_learned_for_everyone(stores: Stores, clock: FakeClock) -> None:
    one, other = await budget(stores, clock), await budget(stores, clock)
    await one.observe(limit=2, remaining=2, now=T0)
    assert await other.requests_per_minute() == 2
    assert await other.free_for_writes(T0) == 2


async def test_sends_by_another_client_are_counted(stores: Stores, clock: FakeClock) -> None:
    shared = await budget(stores, clock)
    await shared.acquire(Purpose.CREATE)
    await shared.observe(limit=6, remaining=1, now=T0)  # the server saw five
    assert await shared.free_for_writes(T0) == 1


async def test_a_pause_is_seen_by_every_replica(stores: Stores, clock: FakeClock) -> None:
    one, other = await budget(stores, clock), await budget(stores, clock)
    until = T0 + timedelta(minutes=5)
    await one.pause(until=until, reason="HTTP 402 credits_exhausted")
    assert await other.paused(T0) == (until, "HTTP 402 credits_exhausted")
    assert await other.paused(until) is None


async def test_a_lease_has_one_holder_until_it_expires(stores: Stores) -> None:
    first, second = stores.leases("a"), stores.leases("b")
    ttl = timedelta(seconds=30)
    assert await first.hold("planner", now=T0, ttl=ttl)
    assert not await second.hold("planner", now=T0 + timedelta(seconds=29), ttl=ttl)
    assert await first.hold("planner", now=T0 + timedelta(seconds=29), ttl=ttl)  # renewed
    assert not await second.hold("planner", now=T0 + timedelta(seconds=58), ttl=ttl)
    assert await second.hold("planner", now=T0 + timedelta(seconds=60), ttl=ttl)
    assert await first.hold("tracking", now=T0, ttl=ttl)  # leases are independent


async def test_a_released_lease_is_free_at_once(stores: Stores) -> None:
    first, second = stores.leases("a"), stores.leases("b")
    assert await first.hold("planner", now=T0, ttl=timedelta(minutes=5))
    await first.release("planner")
    assert await second.hold("planner", now=T0, ttl=timedelta(minutes=5))


async def test_racing_replicas_get_one_lease(stores: Stores) -> None:
    holders = [stores.leases(f"r{i}") for i in range(5)]
    won = await asyncio.gather(
        *(h.hold("planner", now=T0, ttl=timedelta(seconds=30)) for h in holders)
    )
    assert sorted(won) == [False] * 4 + [True]


async def test_no_room_before_the_send_by_time_is_refused_for_every_replica(
    stores: Stores, clock: FakeClock
) -> None:
    shared = await budget(stores, clock, limit=1)
    await shared.acquire(Purpose.CREATE)
    with pytest.raises(SendWindowPassed):
        await shared.acquire(Purpose.CREATE, by=T0 + timedelta(seconds=30))
    assert clock.now() == T0
    assert await shared.free_for_writes(T0 + timedelta(seconds=61)) == 1
