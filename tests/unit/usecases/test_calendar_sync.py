"""CalendarSync on the memory store with fake feeds: a feed read brings its meetings in, an
unchanged one writes nothing, a failing one keeps its meetings and shows its error, and an
event gone from a complete read leaves its meeting without a bot."""

from __future__ import annotations

from datetime import timedelta

from service.adapters.memory import MemoryStore
from service.core.dispatch.states import DispatchState
from service.core.feed_reading import ReadSettings
from service.core.ics import FeedLimits
from service.core.model import Calendar, CalendarKind
from service.core.rules import RecordingRules
from service.usecases.sync_calendars import CalendarSync, SyncSettings
from tests.conftest import T0
from tests.factories import TIMING
from tests.fakes.clock import FakeClock
from tests.fakes.feed_reader import FakeFeeds
from tests.unit.usecases.support import START, meeting

FEED = "https://calendar.example/feeds/jane.ics"
INTERVAL = timedelta(minutes=5)
OTHER = "https://acme.zoom.us/j/81234567899"


def calendar_sync(memory: MemoryStore, feeds: FakeFeeds, clock: FakeClock) -> CalendarSync:
    read = ReadSettings(
        past=timedelta(days=1),
        ahead=timedelta(days=28),
        fallback_zone="UTC",
        limits=FeedLimits(),
        rules=RecordingRules(),
        timing=TIMING,
    )
    return CalendarSync(
        calendars=memory.calendars,
        sources=memory.sources,
        fetcher=feeds,
        clock=clock,
        settings=SyncSettings(read=read, parallel=feeds.parallel),
        parser=feeds,
    )


async def add(memory: MemoryStore, clock: FakeClock) -> Calendar:
    return await memory.calendars.add(
        name="jane",
        kind=CalendarKind.ICS_URL,
        location=FEED,
        owner_email="jane@acme.example",
        interval=INTERVAL,
        now=clock.now(),
    )


async def test_a_feed_read_brings_its_meetings_in(memory: MemoryStore, clock: FakeClock) -> None:
    feeds = FakeFeeds(feeds={FEED: [meeting(), meeting(key="uid-2", url=OTHER)]})
    await add(memory, clock)
    [report] = await calendar_sync(memory, feeds, clock).sync_due()
    assert (report.status, report.meetings, report.inserted) == ("ok", 2, 2)
    views = [await memory.meetings.view(v.meeting.id) for v in await memory.meetings.views()]
    assert {v.meeting.dispatch_state for v in views} == {DispatchState.WAITING}
    assert {s.source for v in views for s in v.sources} == {"calendar:1"}
    calendar = await memory.calendars.get("jane")
    assert (calendar.last_success_at, calendar.meeting_count, calendar.last_error) == (T0, 2, None)
    assert calendar.etag is not None


async def test_an_unchanged_feed_is_not_read_again_until_its_interval(
    memory: MemoryStore, clock: FakeClock
) -> None:
    feeds = FakeFeeds(feeds={FEED: [meeting()]})
    await add(memory, clock)
    sync = calendar_sync(memory, feeds, clock)
    await sync.sync_due()
    assert await sync.sync_due() == []  # not due: its interval has not passed
    clock.advance(INTERVAL.total_seconds())
    [report] = await sync.sync_due()
    assert report.status == "not_modified"
    assert feeds.fetched == [FEED, FEED]
    assert (await memory.calendars.get("jane")).last_attempt_at == T0 + INTERVAL


async def test_a_failing_feed_keeps_its_meetings_and_shows_its_error(
    memory: MemoryStore, clock: FakeClock
) -> None:
    feeds = FakeFeeds(feeds={FEED: [meeting()]})
    await add(memory, clock)
    sync = calendar_sync(memory, feeds, clock)
    await sync.sync_due()
    feeds.failing[FEED] = "HTTP 503 from the calendar server"
    clock.advance(INTERVAL.total_seconds())
    [report] = await sync.sync_due()
    assert (report.status, report.error) == ("error", "HTTP 503 from the calendar server")
    calendar = await memory.calendars.get("jane")
    assert (calendar.last_error, calendar.last_success_at) == (report.error, T0)
    [view] = await memory.meetings.views()
    assert (view.meeting.wanted, view.meeting.dispatch_state) == (True, DispatchState.WAITING)


async def test_an_event_gone_from_the_feed_leaves_its_meeting_without_a_bot(
    memory: MemoryStore, clock: FakeClock
) -> None:
    kept, gone = meeting(), meeting(key="uid-2", url=OTHER, start_at=START + timedelta(hours=1))
    feeds = FakeFeeds(feeds={FEED: [kept, gone]})
    await add(memory, clock)
    sync = calendar_sync(memory, feeds, clock)
    await sync.sync_due()
    feeds.feeds[FEED] = [kept]
    clock.advance(INTERVAL.total_seconds())
    [report] = await sync.sync_due()
    assert (report.status, report.gone) == ("ok", 1)
    views = {v.meeting.meeting_url: v.meeting for v in await memory.meetings.views()}
    assert (views[OTHER].wanted, views[OTHER].decision_reason) == (False, "vanished")
    assert views[OTHER].dispatch_state is DispatchState.SKIPPED
    assert views[kept.meeting.meeting_url].dispatch_state is DispatchState.WAITING
