"""A peak in fake time: many meetings at one minute, the planner, the budget and the simulator."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from service.composition import Daemon
from service.config import Settings
from service.core.dispatch.states import DispatchState
from service.core.timestamps import utc_iso
from service.simulator import Durations, Simulator
from tests.conftest import T0
from tests.factories import import_rows
from tests.fakes.clock import FakeClock
from tests.integration.world import world

START = T0 + timedelta(minutes=30)
RPM = 120
DURATIONS = Durations(call=timedelta(minutes=5), processing=timedelta(seconds=30))


def peak_rows(count: int) -> list[dict[str, object]]:
    return [
        {
            "title": f"Kickoff {i}",
            "meeting_url": f"https://acme.zoom.us/j/8{i:010d}",
            "start": utc_iso(START),
            "end": utc_iso(START + timedelta(minutes=30)),
        }
        for i in range(count)
    ]


async def run_until(daemon: Daemon, clock: FakeClock, until: datetime) -> None:
    """The daemon in fake time: the runner's burst runs what is due, then time jumps to the
    next dispatch or bot check the store knows of, or at most a minute ahead (passes due
    more than once meanwhile run once, as APScheduler coalesces them)."""
    while clock.now() < until:
        await daemon.runner.run_due()
        clock.set(min(until, await next_event(daemon, clock.now())))


async def next_event(daemon: Daemon, now: datetime) -> datetime:
    soonest = now + timedelta(seconds=60)
    upcoming = await daemon.dispatch.upcoming(now=now, until=soonest, limit=1)
    checks = await daemon.tracker_store.due_for_check(now=soonest, limit=1)
    candidates = [soonest, *(at for _, at in upcoming)]
    candidates += [bot.next_check_at for bot in checks if bot.next_check_at is not None]
    return max(now + timedelta(seconds=1), min(candidates))


def creates_in_busiest_window(sim: Simulator) -> int:
    times = sorted(r.at for r in sim.requests if r.method == "POST" and r.status == 201)
    start, busiest = 0, 0
    for end, at in enumerate(times):
        while times[start] <= at - timedelta(seconds=60):
            start += 1
        busiest = max(busiest, end - start + 1)
    return busiest


async def test_a_peak_larger_than_the_budget_gets_every_bot_before_its_deadline(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    # 200 meetings at one start, 120 requests/min (84 creates/min after the read share):
    # about 2.4 minutes of creates, more than the 10-minute lead can hold at one instant.
    settings = Settings.model_validate({"mavera": {"requests_per_minute": RPM}})
    async with world(engine, clock, settings, rpm=RPM, durations=DURATIONS) as w:
        await import_rows(settings, w.daemon.engine, peak_rows(200), clock)
        await run_until(w.daemon, clock, START)
        bots = w.sim.state.bots
        assert len(bots) == 200
        join_at = START - settings.scheduler.join_lead
        deadline = join_at - settings.planner.deadline_margin
        assert all(bot.created_at <= deadline for bot in bots)
        assert max(bot.created_at for bot in bots) - min(b.created_at for b in bots) >= (
            timedelta(minutes=2)
        )
        assert [r.status for r in w.sim.state.requests].count(429) == 0
        assert creates_in_busiest_window(w.sim.state) <= RPM
        views = await w.daemon.meetings.views()
        assert {v.meeting.dispatch_state for v in views} == {DispatchState.BOOKED}


async def test_fixed_lead_baseline_is_late_on_the_same_peak(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    settings = Settings.model_validate(
        {
            "mavera": {"requests_per_minute": RPM},
            "planner": {"policy": "fixed_lead", "min_lead_seconds": 60},
        }
    )
    async with world(engine, clock, settings, rpm=RPM, durations=DURATIONS) as w:
        await import_rows(settings, w.daemon.engine, peak_rows(200), clock)
        await run_until(w.daemon, clock, START)
        deadline = START - settings.scheduler.join_lead - settings.planner.deadline_margin
        late = [bot for bot in w.sim.state.bots if bot.created_at > deadline]
        assert len(w.sim.state.bots) == 200
        # The same load, unsmoothed: only the first window's worth gets there in time.
        assert len(late) >= 200 - RPM


async def test_list_pages_track_many_bots_in_a_meeting_cheaply(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    settings = Settings.model_validate({"mavera": {"requests_per_minute": 600}})
    async with world(engine, clock, settings, rpm=RPM, durations=DURATIONS) as w:
        await import_rows(settings, w.daemon.engine, peak_rows(250), clock)
        await run_until(w.daemon, clock, START + timedelta(minutes=2))
        lists = [
            r for r in w.sim.state.requests if r.route == "/api/v1/meetings" and r.method == "GET"
        ]
        singles = [r for r in w.sim.state.requests if r.route.endswith("{id}")]
        reads_per_bot = (len(lists) + len(singles)) / 250
        assert len(lists) > 0
        assert reads_per_bot < 2  # 250 bots watched through their join for 2.5 minutes
        views = await w.daemon.meetings.views()
        statuses = {v.bot.status for v in views if v.bot}
        assert statuses == {"in_call_recording"}
        for view in views[:5]:
            full = await w.daemon.meetings.view(view.meeting.id)
            assert full.history[0].status == "pending"
            assert full.history[-1].status == "in_call_recording"
