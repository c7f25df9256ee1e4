"""The runner in burst mode: what is due runs once, in order, in fake time; no APScheduler."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from service.config import Settings
from service.core.dispatch.states import DispatchState
from service.core.model import CalendarKind
from service.core.timestamps import utc_iso
from service.simulator import RunningSimulator
from tests.conftest import T0
from tests.factories import import_rows
from tests.fakes.clock import FakeClock
from tests.fakes.feeds import Event, ics
from tests.integration.world import syncing_world

# Periodic passes a long way apart: within a test, only a planted timer can dispatch.
SLOW_TICKS = Settings.model_validate(
    {
        "scheduler": {"tick_seconds": 600},
        "tracking": {"tick_seconds": 600},
        "planner": {"interval_seconds": 600},
        "calendars": {"allow_private_addresses": True},
    }
)
EVERY_PASS = ["calendar-sync", "replan", "dispatch-tick", "tracking-tick", "lease-reaper"]


def booked(sim: RunningSimulator) -> int:
    return len(sim.state.bots)


def meeting(title: str, minutes: int) -> dict[str, object]:
    start = T0 + timedelta(minutes=minutes)
    return {
        "title": title,
        "meeting_url": f"https://acme.zoom.us/j/81{minutes:09d}",
        "start": utc_iso(start),
        "end": utc_iso(start + timedelta(minutes=30)),
    }


async def test_run_due_runs_every_pass_once_then_only_what_is_due(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with syncing_world(engine, clock, SLOW_TICKS) as w:
        daemon, sim = w.daemon, w.sim
        # Due now (its create is 10 minutes before a join 4 minutes away), and due in 2 minutes.
        await import_rows(SLOW_TICKS, engine, [meeting("now", 5), meeting("soon", 13)], clock)
        runner = daemon.runner
        ran = await runner.run_due()  # a pass never run is due
        assert [name for name in ran if name != "database-check"] == EVERY_PASS  # SQLite's
        assert booked(sim) == 1
        soon = T0 + timedelta(minutes=13) - timedelta(seconds=60) - timedelta(minutes=10)
        assert list(runner.timers().values()) == [soon]
        assert runner.next_due_at() == T0 + timedelta(seconds=30)  # calendars and the reaper
        assert await runner.run_due() == []  # nothing is due twice at one time
        clock.set(soon)
        ran = await runner.run_due()
        assert "dispatch-tick" not in ran  # ten minutes away: the timer booked it
        assert ran[-1] == "dispatch"
        assert booked(sim) == 2
        assert runner.timers() == {}
        assert runner.next_due_at() == soon + timedelta(seconds=30)
        views = await daemon.meetings.views()
        assert [v.meeting.dispatch_state for v in views] == [DispatchState.BOOKED] * 2
        await runner.stop()  # harmless without APScheduler


async def test_sync_once_syncs_due_calendars_then_replans_and_dispatches(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with syncing_world(engine, clock, SLOW_TICKS) as w:
        daemon, sim, feeds = w.daemon, w.sim, w.feeds
        start = T0 + timedelta(minutes=5)
        feeds.feeds["team"] = ics([Event(uid="a", start=start, end=start + timedelta(hours=1))])
        await w.calendars.add(
            name="Team",
            kind=CalendarKind.ICS_URL,
            location=feeds.url("team"),
            owner_email=None,
            interval=timedelta(minutes=5),
            now=clock.now(),
        )
        [report] = await daemon.runner.sync_once()
        assert (report.calendar, report.status, report.inserted) == ("Team", "ok", 1)
        assert len(sim.state.bots) == 1  # due at once: booked in the same burst
        assert await daemon.runner.sync_once() == []  # not due again for five minutes
        clock.advance(5 * 60)
        [again] = await daemon.runner.sync_once()
        assert (again.status, again.rows_written) == ("not_modified", 0)
        [view] = await daemon.meetings.views()
        assert view.meeting.dispatch_state is DispatchState.BOOKED
