"""Replanner on the memory store: waiting meetings get dispatch times the request budget can
keep; a load it cannot keep is reported as one condition, naming the worst meeting."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

from service.adapters.local_budget import LocalBudget
from service.adapters.memory import MemoryStore
from service.core.conditions import PLAN_LATE
from service.core.planner import Policy
from service.core.sliding_window import WINDOW
from service.usecases.replan import Replanner, ReplanSettings
from tests.conftest import T0
from tests.fakes.alerts import FakeAlerts
from tests.fakes.clock import FakeClock
from tests.unit.usecases.support import meeting, seed


def replanner(
    memory: MemoryStore, clock: FakeClock, alerts: FakeAlerts, *, limit: int
) -> Replanner:
    return Replanner(
        store=memory.plans,
        budget=LocalBudget(limit=limit, read_share=0.5, clock=clock),
        clock=clock,
        alerts=alerts,
        settings=ReplanSettings(
            policy=Policy.JUST_IN_TIME, min_lead=timedelta(minutes=10), read_share=0.5
        ),
    )


async def same_start(memory: MemoryStore, count: int, *, minutes: int) -> list[int]:
    """``count`` meetings starting together ``minutes`` after T0 (different calls)."""
    start = T0 + timedelta(minutes=minutes)
    items = [
        meeting(start_at=start, key=f"uid-{i}", url=f"https://acme.zoom.us/j/8100000{i:04d}")
        for i in range(count)
    ]
    return await seed(memory, *items)


async def test_a_peak_is_spread_within_the_budget_before_its_deadlines(
    memory: MemoryStore, clock: FakeClock
) -> None:
    ids = await same_start(memory, 6, minutes=30)
    alerts = FakeAlerts()
    plan = await replanner(memory, clock, alerts, limit=4).replan()  # two creates a window
    assert plan.late == ()
    assert set(plan.times) == set(ids)
    stored = {v.meeting.id: v.meeting for v in await memory.meetings.views()}
    assert {key: stored[key].dispatch_at for key in ids} == plan.times
    times = sorted(plan.times.values())
    assert all(later - earlier >= WINDOW / 2 for earlier, later in pairwise(times))
    assert all(stored[key].dispatch_at <= stored[key].deadline for key in ids)
    assert alerts.successes == [PLAN_LATE]
    assert alerts.failures == []


async def test_a_load_the_budget_cannot_keep_is_reported_late(
    memory: MemoryStore, clock: FakeClock
) -> None:
    await same_start(memory, 5, minutes=3)
    alerts = FakeAlerts()
    plan = await replanner(memory, clock, alerts, limit=2).replan()  # one create a window
    assert plan.late
    [(kind, cause)] = alerts.failures
    assert kind is PLAN_LATE
    assert cause.startswith(f"{len(plan.late)} meetings cannot get their bot before the deadline")
    assert f"worst: meeting {plan.late[0].key}" in cause
    assert alerts.active() == [PLAN_LATE.name]


async def test_a_claimed_meeting_keeps_its_time(memory: MemoryStore, clock: FakeClock) -> None:
    first, second = await same_start(memory, 2, minutes=12)
    await memory.dispatch("w").claim_due(now=T0 + timedelta(minutes=1), limit=1, lease=WINDOW)
    before = {v.meeting.id: v.meeting.dispatch_at for v in await memory.meetings.views()}
    plan = await replanner(memory, clock, FakeAlerts(), limit=600).replan()
    assert set(plan.times) == {second}
    after = {v.meeting.id: v.meeting.dispatch_at for v in await memory.meetings.views()}
    assert after[first] == before[first]
