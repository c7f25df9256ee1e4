"""The runner in burst mode: what is due runs once, in order, in fake time; no APScheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.feeds.fetch import feed_session
from service.adapters.feeds.parsing import ThreadParser
from service.adapters.sql.calendar_store import SqlCalendarStore
from service.composition import Daemon, build_daemon, fetch_settings
from service.config import Settings
from service.core.model import CalendarKind, DispatchState
from service.core.timestamps import utc_iso
from service.credentials import ApiKey
from service.simulator import RunningSimulator, running_simulator
from tests.conftest import T0
from tests.factories import import_rows
from tests.fakes.clock import FakeClock
from tests.fakes.feeds import Event, FeedServer, feed_server, ics
from tests.fakes.mavera import TEST_KEY, sim_settings

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


@asynccontextmanager
async def burst_daemon(
    engine: AsyncEngine, clock: FakeClock
) -> AsyncIterator[tuple[Daemon, RunningSimulator, FeedServer]]:
    async with (
        feed_server() as feeds,
        running_simulator(sim_settings(), clock=clock) as sim,
        aiohttp.ClientSession() as session,
        feed_session(fetch_settings(SLOW_TICKS)) as feed_http,
    ):
        daemon = await build_daemon(
            settings=SLOW_TICKS,
            engine=engine,
            session=session,
            api_key=ApiKey(TEST_KEY),
            base_url=sim.base_url,
            clock=clock,
            feed_session=feed_http,
            parser=ThreadParser(),
        )
        yield daemon, sim, feeds


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
    async with burst_daemon(engine, clock) as (daemon, sim, _):
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
    async with burst_daemon(engine, clock) as (daemon, sim, feeds):
        start = T0 + timedelta(minutes=5)
        feeds.feeds["team"] = ics([Event(uid="a", start=start, end=start + timedelta(hours=1))])
        await SqlCalendarStore(engine).add(
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
