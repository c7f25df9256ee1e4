"""Calendars end to end: a loopback feed, the store, the planner's dispatcher and the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.assembly import Daemon, build_daemon, fetch_settings, make_calendar_sync
from service.config import Settings
from service.credentials import ApiKey
from service.feeds.fetch import feed_session
from service.model import Calendar, CalendarKind, DispatchState, MeetingView
from service.simulator import RunningSimulator, running_simulator
from service.store.calendars import SqlCalendarStore
from service.syncing import CalendarSync
from tests.conftest import T0
from tests.fakes.clock import FakeClock
from tests.fakes.feeds import Event, FeedServer, feed_server, ics
from tests.fakes.mavera import TEST_KEY, sim_settings

SETTINGS = Settings.model_validate({"calendars": {"allow_private_addresses": True}})
A_START = T0 + timedelta(hours=3)


def event(uid: str, hours: float, **changes: object) -> Event:
    start = T0 + timedelta(hours=hours)
    return Event(uid=uid, start=start, end=start + timedelta(minutes=30), **changes)  # type: ignore[arg-type]


@dataclass(slots=True, kw_only=True)
class World:
    daemon: Daemon
    sync: CalendarSync
    feeds: FeedServer
    sim: RunningSimulator
    calendars: SqlCalendarStore
    clock: FakeClock

    async def add(self, name: str, path: str) -> Calendar:
        return await self.calendars.add(
            name=name,
            kind=CalendarKind.ICS_URL,
            location=self.feeds.url(path),
            owner_email="jane@acme.example",
            interval=timedelta(minutes=5),
            now=self.clock.now(),
        )

    async def views(self) -> list[MeetingView]:
        views = await self.daemon.meetings.views()
        return [await self.daemon.meetings.view(v.meeting.id) for v in views]

    async def dispatch(self) -> None:
        while await self.daemon.dispatcher.dispatch_due():
            pass


@asynccontextmanager
async def world(
    engine: AsyncEngine, clock: FakeClock, settings: Settings = SETTINGS
) -> AsyncIterator[World]:
    async with (
        feed_server() as feeds,
        running_simulator(sim_settings(), clock=clock) as sim,
        aiohttp.ClientSession() as session,
        feed_session(fetch_settings(settings)) as feed_http,
    ):
        daemon = await build_daemon(
            settings=settings,
            engine=engine,
            session=session,
            api_key=ApiKey(TEST_KEY),
            base_url=sim.base_url,
            clock=clock,
        )
        yield World(
            daemon=daemon,
            sync=make_calendar_sync(settings, engine, feed_http, clock),
            feeds=feeds,
            sim=sim,
            calendars=SqlCalendarStore(engine),
            clock=clock,
        )


async def test_a_feed_becomes_meetings_and_an_unchanged_feed_writes_nothing(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock) as w:
        w.feeds.feeds["team"] = ics(
            [
                event("a", 3),
                event("b", 5, title="Private sync"),
                event("c", 4, status="CANCELLED"),
                event("d", 6, url=None),
            ]
        )
        calendar = await w.add("Team", "team")
        first = await w.sync.sync(calendar)
        assert (first.status, first.occurrences, first.meetings, first.inserted) == ("ok", 4, 3, 2)
        again = await w.sync.sync(await w.calendars.get("Team"))
        assert (again.status, again.rows_written) == ("not_modified", 0)
        assert w.feeds.requests[-1] == ("team", 304)
        views = await w.views()
        assert [v.meeting.title for v in views] == ["Pipeline review", "Private sync"]
        assert views[0].sources[0].explanation == "recorded: no rule skips this meeting"
        stored = await w.calendars.get("Team")
        assert (stored.event_count, stored.meeting_count, stored.last_error) == (4, 3, None)


async def test_a_moved_booked_meeting_is_cancelled_and_booked_again(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock) as w:
        w.feeds.feeds["team"] = ics([event("a", 3)])
        await w.sync.sync(await w.add("Team", "team"))
        clock.set(A_START - timedelta(minutes=10))
        await w.dispatch()
        [first] = w.sim.state.bots
        w.feeds.feeds["team"] = ics([event("a", 4, sequence=1)])
        report = await w.sync.sync(await w.calendars.get("Team"))
        assert report.updated == 1
        [view] = await w.views()
        assert view.meeting.dispatch_state is DispatchState.STALE
        await w.dispatch()
        old, new = w.sim.state.bots
        assert old.id == first.id
        assert old.cancelled_at == clock.now()
        assert new.requested_join_at == A_START + timedelta(hours=1) - timedelta(seconds=60)
        [view] = await w.views()
        assert view.meeting.dispatch_state is DispatchState.BOOKED
        assert view.bot is not None
        assert view.bot.mavera_id == new.id
        kinds = [e.kind for e in view.events]
        assert kinds[-3:] == ["state", "cancelled", "booked"]


async def test_a_change_inside_the_freeze_window_keeps_the_bot(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock) as w:
        w.feeds.feeds["team"] = ics([event("a", 3)])
        await w.sync.sync(await w.add("Team", "team"))
        clock.set(A_START - timedelta(minutes=10))
        await w.dispatch()
        clock.set(A_START - timedelta(minutes=4))  # 3 minutes before the bot joins
        w.feeds.feeds["team"] = ics([event("a", 4, sequence=1)])
        await w.sync.sync(await w.calendars.get("Team"))
        await w.dispatch()
        [view] = await w.views()
        assert view.meeting.dispatch_state is DispatchState.BOOKED
        assert [bot.cancelled_at for bot in w.sim.state.bots] == [None]
        assert view.events[-1].kind == "frozen"


async def test_a_cancelled_or_vanished_meeting_loses_its_bot(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock) as w:
        w.feeds.feeds["team"] = ics([event("a", 3), event("b", 3 + 2 / 60)])
        await w.sync.sync(await w.add("Team", "team"))
        clock.set(A_START - timedelta(minutes=9))
        await w.dispatch()
        assert len(w.sim.state.bots) == 2
        w.feeds.feeds["team"] = ics([event("a", 3, status="CANCELLED", sequence=1)])
        await w.sync.sync(await w.calendars.get("Team"))
        await w.dispatch()
        assert all(bot.cancelled_at is not None for bot in w.sim.state.bots)
        views = await w.views()
        assert [(v.meeting.dispatch_state, v.meeting.decision_reason) for v in views] == [
            (DispatchState.SKIPPED, "cancelled"),
            (DispatchState.SKIPPED, "vanished"),
        ]


async def test_one_call_in_two_calendars_gets_one_bot(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock) as w:
        body = ics([event("a", 3)])
        w.feeds.feeds["jane"] = body
        w.feeds.feeds["sam"] = body
        await w.sync.sync(await w.add("Jane", "jane"))
        await w.sync.sync(await w.add("Sam", "sam"))
        clock.set(A_START - timedelta(minutes=10))
        await w.dispatch()
        [view] = await w.views()
        assert len(view.sources) == 2
        assert len(w.sim.state.bots) == 1


async def test_a_failing_feed_keeps_its_meetings_and_shows_the_error(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock) as w:
        w.feeds.feeds["team"] = ics([event("a", 3)])
        await w.sync.sync(await w.add("Team", "team"))
        w.feeds.failing["team"] = 503
        report = await w.sync.sync(await w.calendars.get("Team"))
        assert (report.status, report.error) == ("error", "the feed answered HTTP 503")
        [view] = await w.views()
        assert (view.meeting.wanted, view.meeting.dispatch_state) == (True, DispatchState.WAITING)
        assert (await w.calendars.get("Team")).last_error == "the feed answered HTTP 503"
        w.feeds.feeds["team"] = b"not a calendar"
        del w.feeds.failing["team"]
        broken = await w.sync.sync(await w.calendars.get("Team"))
        assert broken.status == "error"
        assert len(await w.views()) == 1


async def test_private_addresses_are_refused_unless_allowed(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, Settings()) as w:
        w.feeds.feeds["team"] = ics([event("a", 3)])
        report = await w.sync.sync(await w.add("Team", "team"))
        assert report.status == "error"
        assert report.error == "feed URLs must use https"
        assert w.feeds.requests == []


async def test_redirects_are_followed_a_bounded_number_of_times(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock) as w:
        w.feeds.feeds["team"] = ics([event("a", 3)])
        w.feeds.redirects["old"] = "/feeds/team"
        assert (await w.sync.sync(await w.add("Moved", "old"))).status == "ok"
        for hop in range(5):
            w.feeds.redirects[f"loop{hop}"] = f"/feeds/loop{hop + 1}"
        report = await w.sync.sync(await w.add("Loop", "loop0"))
        assert (report.status, report.error) == ("error", "more than 3 redirects")


async def test_a_feed_over_a_limit_keeps_its_meetings_and_names_the_limit(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    limited = Settings.model_validate(
        {"calendars": {"allow_private_addresses": True, "max_feed_events": 2}}
    )
    async with world(engine, clock, limited) as w:
        w.feeds.feeds["team"] = ics([event("a", 3)])
        await w.sync.sync(await w.add("Team", "team"))
        w.feeds.feeds["team"] = ics([event("a", 3), event("b", 4), event("c", 5)])
        report = await w.sync.sync(await w.calendars.get("Team"))
        problem = "the feed holds more than 2 events (calendars.max_feed_events)"
        assert (report.status, report.error) == ("error", f"calendar feed error: {problem}")
        [view] = await w.views()
        assert view.meeting.wanted


async def test_an_event_over_a_limit_is_skipped_and_logged_once_and_the_rest_synced(
    engine: AsyncEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    flood = event("flood", 4, rrule="FREQ=SECONDLY")
    async with world(engine, clock) as w:
        w.feeds.feeds["team"] = ics([event("a", 3), flood])
        report = await w.sync.sync(await w.add("Team", "team"))
        assert (report.status, report.meetings) == ("ok", 1)
        w.feeds.feeds["team"] = ics([event("a", 3), event("b", 5), flood])
        report = await w.sync.sync(await w.calendars.get("Team"))
        assert (report.status, report.meetings) == ("ok", 2)
        assert len(await w.views()) == 2
    skipped = [message for message in caplog.messages if "skipped" in message]
    assert skipped == [
        "calendar 'Team': 1 events skipped: repeats more often than once a minute (1)"
    ]
