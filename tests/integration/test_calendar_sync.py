"""Calendars end to end: a loopback feed, the store, the planner's dispatcher and the simulator."""

from __future__ import annotations

import asyncio
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.feeds.parsing import ThreadParser, make_parser
from service.adapters.feeds.workers import WorkerDied
from service.composition import read_settings
from service.config import Settings
from service.core.dispatch.states import DispatchState
from service.core.feed_reading import FeedJob
from service.core.model import CalendarKind
from service.core.sourcing import Sourced
from service.usecases.sync_calendars import SyncSettings
from tests.conftest import T0
from tests.fakes.clock import FakeClock
from tests.fakes.feeds import Event, FakeResolver, ics
from tests.integration.world import calendar_world

SETTINGS = Settings.model_validate({"calendars": {"allow_private_addresses": True}})
A_START = T0 + timedelta(hours=3)
ZOOM = "https://acme.zoom.us/j/812345678"


def event(uid: str, hours: float, **changes: object) -> Event:
    start = T0 + timedelta(hours=hours)
    return Event(uid=uid, start=start, end=start + timedelta(minutes=30), **changes)  # type: ignore[arg-type]


@dataclass(slots=True, kw_only=True)
class FailingParser:
    """Parses in a thread, except the calendars (by source) told to fail with an error."""

    failures: dict[str, Exception] = field(default_factory=dict)
    parallel: int = 4

    async def __call__(self, data: bytes, job: FeedJob) -> Sourced:
        if job.source in self.failures:
            raise self.failures[job.source]
        return await ThreadParser()(data, job)


async def test_a_feed_becomes_meetings_and_an_unchanged_feed_writes_nothing(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with calendar_world(engine, clock, SETTINGS) as w:
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
    async with calendar_world(engine, clock, SETTINGS) as w:
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
    async with calendar_world(engine, clock, SETTINGS) as w:
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
    async with calendar_world(engine, clock, SETTINGS) as w:
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
    async with calendar_world(engine, clock, SETTINGS) as w:
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
    async with calendar_world(engine, clock, SETTINGS) as w:
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
    async with calendar_world(engine, clock, Settings()) as w:
        w.feeds.feeds["team"] = ics([event("a", 3)])
        report = await w.sync.sync(await w.add("Team", "team"))
        assert report.status == "error"
        assert report.error == "feed URLs must use https"
        assert w.feeds.requests == []


async def test_redirects_are_followed_a_bounded_number_of_times(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with calendar_world(engine, clock, SETTINGS) as w:
        w.feeds.feeds["team"] = ics([event("a", 3)])
        w.feeds.redirects["old"] = "/feeds/team"
        assert (await w.sync.sync(await w.add("Moved", "old"))).status == "ok"
        for hop in range(5):
            w.feeds.redirects[f"loop{hop}"] = f"/feeds/loop{hop + 1}"
        report = await w.sync.sync(await w.add("Loop", "loop0"))
        assert (report.status, report.error) == ("error", "more than 3 redirects")


async def test_one_calendar_failing_in_any_way_never_stops_the_others(
    engine: AsyncEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    parser = FailingParser()
    async with calendar_world(engine, clock, SETTINGS, parser=parser) as w:
        for n, name in enumerate(("killed", "broken", "buggy", "fine")):
            w.feeds.feeds[name] = ics([event("a", 3, title=name, url=f"{ZOOM}{n}")])
        killed, broken, buggy, _ = [
            await w.add(name, name) for name in ("killed", "broken", "buggy", "fine")
        ]
        secret = w.feeds.url("buggy")
        parser.failures = {
            killed.source: WorkerDied(-9),
            broken.source: BrokenProcessPool("A process in the process pool was terminated"),
            buggy.source: RuntimeError(f"cannot read {secret}"),
        }
        reports = await w.sync.sync_all(await w.calendars.all())
        errors = {
            "killed": "parse worker died (killed by SIGKILL: out of memory?) while reading this "
            "calendar; retrying next interval",
            "broken": "unexpected error while reading this calendar (BrokenProcessPool); "
            "retrying next interval",
            "buggy": "unexpected error while reading this calendar (RuntimeError); "
            "retrying next interval",
            "fine": None,
        }
        assert {r.calendar: (r.status, r.error) for r in reports} == {
            name: ("ok" if error is None else "error", error) for name, error in errors.items()
        }
        assert {c.name: c.last_error for c in await w.calendars.all()} == errors
        assert [v.meeting.title for v in await w.views()] == ["fine"]
        assert secret not in caplog.text
        parser.failures = {}
        again = await w.sync.sync_all(await w.calendars.all())
        assert {r.calendar: r.status for r in again} == {
            "killed": "ok",
            "broken": "ok",
            "buggy": "ok",
            "fine": "not_modified",
        }


async def test_with_parse_workers_0_feeds_are_read_in_a_thread_one_at_a_time(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    settings = SETTINGS.model_copy(
        update={"calendars": SETTINGS.calendars.model_copy(update={"parse_workers": 0})}
    )
    parser = make_parser(settings.calendars.parse_workers)
    assert parser.parallel == 1
    async with calendar_world(engine, clock, settings, parser) as w:
        w.feeds.feeds["team"] = ics([event("a", 3)])
        w.feeds.feeds["sales"] = ics([event("b", 4)])
        await w.add("Team", "team")
        await w.add("Sales", "sales")
        async with asyncio.timeout(10):  # a Semaphore(0) would wait forever
            reports = await w.sync.sync_due()
        assert [(r.calendar, r.status, r.inserted) for r in reports] == [
            ("Sales", "ok", 1),
            ("Team", "ok", 1),
        ]


def test_sync_settings_refuse_fewer_than_one_calendar_at_a_time() -> None:
    with pytest.raises(ValueError, match="parallel must be at least 1, not 0"):
        SyncSettings(read=read_settings(SETTINGS), parallel=0)


async def test_a_feed_name_that_resolves_to_a_private_address_is_recorded_as_such(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    resolver = FakeResolver({"calendar.example.com": ["127.0.0.1"]})
    async with calendar_world(engine, clock, Settings(), resolver=resolver) as w:
        calendar = await w.calendars.add(
            name="Rebound",
            kind=CalendarKind.ICS_URL,
            location="https://calendar.example.com/private-0a1b2c3d/basic.ics",
            owner_email=None,
            interval=timedelta(minutes=5),
            now=clock.now(),
        )
        report = await w.sync.sync(calendar)
        expected = "the feed's host resolves to a private or local address"
        assert (report.status, report.error) == ("error", expected)
        assert (await w.calendars.get("Rebound")).last_error == expected
        assert resolver.asked == ["calendar.example.com"]


async def test_a_malformed_redirect_is_recorded_on_the_calendar(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with calendar_world(engine, clock, SETTINGS) as w:
        w.feeds.redirects["team"] = "http://[::1"
        report = await w.sync.sync(await w.add("Team", "team"))
        expected = "the feed redirected to an invalid address"
        assert (report.status, report.error) == ("error", expected)
        assert (await w.calendars.get("Team")).last_error == expected


async def test_a_feed_over_a_limit_keeps_its_meetings_and_names_the_limit(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    limited = Settings.model_validate(
        {"calendars": {"allow_private_addresses": True, "max_feed_events": 2}}
    )
    async with calendar_world(engine, clock, limited) as w:
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
    async with calendar_world(engine, clock, SETTINGS) as w:
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
