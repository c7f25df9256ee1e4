"""The use cases a command calls (the CLI today, the HTTP API of issue 10 tomorrow), built
on resources opened for the command or held by the running daemon."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.clock import SystemClock
from service.adapters.feeds.parsing import ThreadParser
from service.adapters.local_budget import LocalBudget
from service.adapters.sql.calendar_store import SqlCalendarStore
from service.adapters.sql.meeting_store import SqlMeetingStore
from service.composition import settings as parts
from service.composition.daemon import (
    feed_fetcher,
    make_calendar_sync,
    make_replanner,
    source_store,
)
from service.config import Settings
from service.core.ports import Clock, FeedParser
from service.usecases.calendars import Calendars
from service.usecases.cancel_bot import CancelBot
from service.usecases.forecast import PlanForecast
from service.usecases.import_meetings import ImportMeetings
from service.usecases.override import OverrideMeeting
from service.usecases.preview import PreviewCalendar, PreviewFeed
from service.usecases.replan import Replanner
from service.usecases.retry_dispatch import RetryDispatch
from service.usecases.sync_calendars import CalendarSync


@dataclass(frozen=True, slots=True, kw_only=True)
class UseCases:
    """Every use case a command may call, on one set of resources."""

    clock: Clock
    meetings: SqlMeetingStore
    """Meetings to list and explain (reads only)."""
    imports: ImportMeetings
    override: OverrideMeeting
    cancel_bot: CancelBot
    retry_dispatch: RetryDispatch
    forecast: PlanForecast
    calendars: Calendars
    sync: CalendarSync
    preview_feed: PreviewFeed
    """What the rules would record from a feed's bytes."""
    preview_calendar: PreviewCalendar


def use_cases(
    settings: Settings,
    *,
    engine: AsyncEngine,
    clock: Clock,
    feeds: aiohttp.ClientSession,
    parser: FeedParser,
) -> UseCases:
    """The use cases on resources the caller holds (and closes): the daemon's, for one."""
    freeze = settings.scheduler.freeze
    meetings = SqlMeetingStore(engine)
    override = OverrideMeeting(meetings=meetings, clock=clock, freeze=freeze)
    calendars = SqlCalendarStore(engine)
    feed = preview_feed(settings, clock)
    return UseCases(
        clock=clock,
        meetings=meetings,
        imports=import_meetings(settings, engine, clock, parser),
        override=override,
        cancel_bot=CancelBot(override=override),
        retry_dispatch=RetryDispatch(meetings=meetings, clock=clock, freeze=freeze),
        forecast=PlanForecast(
            replanner=forecast_replanner(settings, engine, clock), meetings=meetings
        ),
        calendars=Calendars(
            store=calendars,
            clock=clock,
            interval=settings.calendars.interval,
            allow_private=settings.calendars.allow_private_addresses,
            freeze=freeze,
        ),
        sync=make_calendar_sync(settings, engine, feeds, clock, parser),
        preview_feed=feed,
        preview_calendar=PreviewCalendar(
            calendars=calendars,
            fetcher=feed_fetcher(settings, feeds),
            feed=feed,
        ),
    )


def import_meetings(
    settings: Settings, engine: AsyncEngine, clock: Clock, parser: FeedParser | None = None
) -> ImportMeetings:
    """The import; without a ``parser``, .ics files are parsed in a thread."""
    return ImportMeetings(
        sources=source_store(settings, engine),
        parser=parser if parser is not None else ThreadParser(),
        clock=clock,
        read=parts.read_settings(settings),
    )


def preview_feed(settings: Settings, clock: Clock | None = None) -> PreviewFeed:
    """The preview of a feed's bytes: it needs no database and no Mavera."""
    return PreviewFeed(clock=clock or SystemClock(), settings=parts.preview_settings(settings))


def forecast_replanner(settings: Settings, engine: AsyncEngine, clock: Clock) -> Replanner:
    """A replanner that only previews, at the configured limit; the plan itself takes the
    share held for reads off it (so the budget holds none back)."""
    budget = LocalBudget(limit=settings.mavera.requests_per_minute, read_share=0, clock=clock)
    return make_replanner(settings, engine, budget, clock)
