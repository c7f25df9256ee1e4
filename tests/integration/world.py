"""The integration tests' world: the Mavera simulator on loopback, a daemon built the way
``autojoin run`` builds it on a migrated store, and a clock (fake, or the system's for the
real scheduler); with calendars, also a loopback feed server and the calendar sync (or,
for the runner's burst mode, a daemon that syncs them itself).

Every integration test that runs the daemon starts here, so the set-up exists once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Generic, TypeVar

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.feeds.fetch import feed_session
from service.adapters.feeds.parsing import ThreadParser
from service.adapters.sql.calendar_store import SqlCalendarStore
from service.composition import Daemon, build_daemon, fetch_settings, make_calendar_sync
from service.config import Settings
from service.core.model import Calendar, CalendarKind, MeetingView
from service.core.ports import Clock, FeedParser
from service.core.timestamps import utc_iso
from service.credentials import ApiKey
from service.simulator import Durations, RunningSimulator, running_simulator
from service.usecases.sync_calendars import CalendarSync
from tests.fakes.clock import FakeClock
from tests.fakes.feeds import FakeResolver, FeedServer, feed_server
from tests.fakes.mavera import TEST_KEY, sim_settings

ClockT = TypeVar("ClockT", bound=Clock)
# The daemon tests' defaults: a short Mavera timeout, and bots that run to done in minutes.
SETTINGS = Settings.model_validate({"mavera": {"timeout_seconds": 2}})
FAST = Durations(
    joining=timedelta(seconds=10),
    not_recording=timedelta(seconds=5),
    call=timedelta(minutes=3),
    call_ended=timedelta(seconds=10),
    processing=timedelta(seconds=30),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class World(Generic[ClockT]):
    daemon: Daemon
    sim: RunningSimulator
    clock: ClockT
    settings: Settings

    async def another_daemon(self, session: aiohttp.ClientSession) -> Daemon:
        """A second daemon (a replica) on the same store, simulator and clock."""
        return await daemon_on(
            self.daemon.engine,
            self.clock,
            self.settings,
            base_url=self.sim.base_url,
            session=session,
        )


async def daemon_on(
    engine: AsyncEngine,
    clock: Clock,
    settings: Settings,
    *,
    base_url: str,
    session: aiohttp.ClientSession,
    feed_http: aiohttp.ClientSession | None = None,
    parser: FeedParser | None = None,
) -> Daemon:
    """The daemon's objects on ``engine``, calling the Mavera API at ``base_url``; with a
    ``feed_http`` session it syncs calendars too (parsing with ``parser``)."""
    return await build_daemon(
        settings=settings,
        engine=engine,
        session=session,
        api_key=ApiKey(TEST_KEY),
        base_url=base_url,
        clock=clock,
        feed_session=feed_http,
        parser=parser,
    )


@asynccontextmanager
async def world(
    engine: AsyncEngine,
    clock: ClockT,
    settings: Settings,
    feed_http: aiohttp.ClientSession | None = None,
    **sim_changes: object,
) -> AsyncIterator[World[ClockT]]:
    """A daemon on ``engine`` and a simulator (``sim_settings(**sim_changes)``), one clock;
    with a ``feed_http`` session the daemon syncs calendars too (parsing in a thread)."""
    async with (
        running_simulator(sim_settings(**sim_changes), clock=clock) as sim,
        aiohttp.ClientSession() as session,
    ):
        daemon = await daemon_on(
            engine,
            clock,
            settings,
            base_url=sim.base_url,
            session=session,
            feed_http=feed_http,
            parser=ThreadParser() if feed_http is not None else None,
        )
        yield World(daemon=daemon, sim=sim, clock=clock, settings=settings)


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarWorld(World[FakeClock]):
    feeds: FeedServer
    sync: CalendarSync
    calendars: SqlCalendarStore

    async def add(self, name: str, path: str) -> Calendar:
        """A calendar reading the feed server's feed ``path``."""
        return await self.calendars.add(
            name=name,
            kind=CalendarKind.ICS_URL,
            location=self.feeds.url(path),
            owner_email="jane@acme.example",
            interval=timedelta(minutes=5),
            now=self.clock.now(),
        )

    async def views(self) -> list[MeetingView]:
        """Every meeting as `meetings explain` shows it."""
        views = await self.daemon.meetings.views()
        return [await self.daemon.meetings.view(v.meeting.id) for v in views]

    async def dispatch(self) -> None:
        await dispatch_all(self)


@asynccontextmanager
async def calendar_world(
    engine: AsyncEngine,
    clock: FakeClock,
    settings: Settings,
    parser: FeedParser | None = None,
    resolver: FakeResolver | None = None,
) -> AsyncIterator[CalendarWorld]:
    """The world, plus a feed server and the calendar sync (fetching through ``resolver``,
    parsing with ``parser``; by default the system's resolver and a thread)."""
    async with (
        feed_server() as feeds,
        world(engine, clock, settings) as w,
        feed_session(fetch_settings(settings), resolver=resolver) as feed_http,
    ):
        yield CalendarWorld(
            **{field.name: getattr(w, field.name) for field in fields(w)},
            feeds=feeds,
            sync=make_calendar_sync(settings, engine, feed_http, clock, parser),
            calendars=SqlCalendarStore(engine),
        )


@asynccontextmanager
async def syncing_world(
    engine: AsyncEngine, clock: FakeClock, settings: Settings
) -> AsyncIterator[CalendarWorld]:
    """The calendar world whose daemon syncs the calendars itself (its runner's calendar
    pass), for the runner's burst mode (``run_due``, ``sync_once``)."""
    async with (
        feed_server() as feeds,
        feed_session(fetch_settings(settings)) as feed_http,
        world(engine, clock, settings, feed_http) as w,
    ):
        yield CalendarWorld(
            **{field.name: getattr(w, field.name) for field in fields(w)},
            feeds=feeds,
            sync=make_calendar_sync(settings, engine, feed_http, clock, ThreadParser()),
            calendars=SqlCalendarStore(engine),
        )


def rows(count: int, *, start: datetime, minutes: int = 5) -> list[dict[str, object]]:
    """``count`` JSON import rows, a minute apart from ``start``, ``minutes`` long."""
    return [
        {
            "title": f"Meeting {i}",
            "meeting_url": f"https://acme.zoom.us/j/8100000{i:04d}",
            "start": utc_iso(start + timedelta(minutes=i)),
            "end": utc_iso(start + timedelta(minutes=i + minutes)),
            "uid": f"uid-{i}",
        }
        for i in range(count)
    ]


async def views(w: World[ClockT]) -> list[MeetingView]:
    return await w.daemon.meetings.views()


async def dispatch_all(w: World[ClockT]) -> int:
    """Dispatch passes until nothing is due; how many meetings they handled."""
    total = 0
    while sent := await w.daemon.dispatcher.dispatch_due():
        total += sent
    return total


def bots_per_url(w: World[ClockT]) -> dict[str, int]:
    """Live (not cancelled) simulator bots by meeting link."""
    counts: dict[str, int] = {}
    for bot in w.sim.state.bots:
        if bot.cancelled_at is None:
            counts[bot.meeting_url] = counts.get(bot.meeting_url, 0) + 1
    return counts
