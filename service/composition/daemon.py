"""The daemon's objects, built on resources the caller opened: the Mavera client and the
request budget, the stores, the use cases the runner drives, and the runner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.alerting import LoggingAlerts
from service.adapters.feeds.fetch import HttpFeedFetcher
from service.adapters.feeds.parsing import ThreadParser
from service.adapters.local_budget import LocalBudget
from service.adapters.mavera.client import MaveraClient
from service.adapters.runner import Parts, Runner
from service.adapters.sql.availability import SqliteFileCheck, database_problem
from service.adapters.sql.calendar_store import SqlCalendarStore
from service.adapters.sql.dispatch_store import SqlDispatchStore
from service.adapters.sql.engine import is_sqlite, sqlite_path
from service.adapters.sql.leases import SqlLeases
from service.adapters.sql.meeting_store import SqlMeetingStore
from service.adapters.sql.plan_store import SqlPlanStore
from service.adapters.sql.shared_budget import SqlBudget, key_id
from service.adapters.sql.source_store import SqlSourceStore
from service.adapters.sql.tracking_store import SqlTrackingStore
from service.composition import settings as parts
from service.config import Settings
from service.core.ports import Alerts, Clock, FeedParser, RequestBudget
from service.credentials import ApiKey
from service.usecases.dispatch import Dispatcher
from service.usecases.replan import Replanner
from service.usecases.sync_calendars import CalendarSync, SyncSettings
from service.usecases.track import Tracker


@dataclass(frozen=True, slots=True, kw_only=True)
class Daemon:
    """A daemon's objects: what tests drive and the daemon starts (the runner)."""

    engine: AsyncEngine
    alerts: Alerts
    budget: RequestBudget
    runner: Runner
    dispatcher: Dispatcher
    tracker: Tracker
    replanner: Replanner
    meetings: SqlMeetingStore
    dispatch: SqlDispatchStore
    tracker_store: SqlTrackingStore


async def build_daemon(
    *,
    settings: Settings,
    engine: AsyncEngine,
    session: aiohttp.ClientSession,
    api_key: ApiKey,
    base_url: str,
    clock: Clock,
    feed_session: aiohttp.ClientSession | None = None,
    parser: FeedParser | None = None,
) -> Daemon:
    """The daemon's objects; with a ``feed_session`` it also syncs calendars."""
    alerts = LoggingAlerts(
        clock=clock, repeat_every=settings.logging.alert_repeat, database_problem=database_problem
    )
    budget = await make_budget(settings, engine, api_key, clock)
    client = MaveraClient(
        session=session,
        base_url=base_url,
        api_key=api_key,
        budget=budget,
        clock=clock,
        timeout=settings.mavera.request_timeout,
        alerts=alerts,
    )
    syncer = (
        make_calendar_sync(settings, engine, feed_session, clock, parser)
        if feed_session is not None
        else None
    )
    return _assemble(
        settings, engine, client, budget=budget, alerts=alerts, clock=clock, syncer=syncer
    )


def _assemble(
    settings: Settings,
    engine: AsyncEngine,
    client: MaveraClient,
    *,
    budget: RequestBudget,
    alerts: Alerts,
    clock: Clock,
    syncer: CalendarSync | None,
) -> Daemon:
    """The use cases and the runner on the stores and on the Mavera client."""
    worker = parts.worker_id(settings)
    dispatching, tracking = parts.dispatch_settings(settings), parts.tracking_settings(settings)
    dispatch_store = SqlDispatchStore(engine, worker_id=worker)
    tracker_store = SqlTrackingStore(engine)
    drive = Parts(
        dispatcher=Dispatcher(
            store=dispatch_store, api=client, budget=budget, clock=clock, settings=dispatching
        ),
        tracker=Tracker(store=tracker_store, api=client, clock=clock, settings=tracking),
        replanner=make_replanner(settings, engine, budget, clock, alerts),
        store=dispatch_store,
        leases=SqlLeases(engine, holder=worker),
        syncer=syncer,
        database_check=database_check(engine),
    )
    return Daemon(
        engine=engine,
        alerts=alerts,
        budget=budget,
        runner=Runner(drive, clock=clock, alerts=alerts, settings=parts.runner_settings(settings)),
        dispatcher=drive.dispatcher,
        tracker=drive.tracker,
        replanner=drive.replanner,
        meetings=SqlMeetingStore(engine),
        dispatch=dispatch_store,
        tracker_store=tracker_store,
    )


async def make_budget(
    settings: Settings, engine: AsyncEngine, api_key: ApiKey, clock: Clock
) -> RequestBudget:
    """In memory for a sole SQLite daemon; in the database when replicas share PostgreSQL."""
    limit, share = settings.mavera.requests_per_minute, settings.tracking.read_share
    if is_sqlite(settings.database.url):
        return LocalBudget(limit=limit, read_share=share, clock=clock)
    budget = SqlBudget(engine, key_id=key_id(api_key), limit=limit, read_share=share, clock=clock)
    await budget.register()
    return budget


def make_replanner(
    settings: Settings,
    engine: AsyncEngine,
    budget: RequestBudget,
    clock: Clock,
    alerts: Alerts | None = None,
) -> Replanner:
    return Replanner(
        store=SqlPlanStore(engine),
        budget=budget,
        clock=clock,
        alerts=alerts or LoggingAlerts(clock=clock),
        settings=parts.replan_settings(settings),
    )


def make_calendar_sync(
    settings: Settings,
    engine: AsyncEngine,
    session: aiohttp.ClientSession,
    clock: Clock,
    parser: FeedParser | None = None,
) -> CalendarSync:
    """The calendar sync; without a ``parser``, feeds are parsed in a thread."""
    parser = parser if parser is not None else ThreadParser()
    return CalendarSync(
        calendars=SqlCalendarStore(engine),
        sources=source_store(settings, engine),
        fetcher=feed_fetcher(settings, session),
        clock=clock,
        settings=SyncSettings(
            read=parts.read_settings(settings),
            parallel=parser.parallel,
        ),
        parser=parser,
    )


def feed_fetcher(settings: Settings, session: aiohttp.ClientSession) -> HttpFeedFetcher:
    """Feeds from their URLs through ``session`` (see ``feed_session``), and from files,
    under the configured limits: a sync's and a calendar preview's."""
    return HttpFeedFetcher(session, parts.fetch_settings(settings))


def source_store(settings: Settings, engine: AsyncEngine) -> SqlSourceStore:
    """Where every source's meetings are stored: a calendar sync's and an import's."""
    return SqlSourceStore(engine, freeze=settings.scheduler.freeze)


def database_check(engine: AsyncEngine) -> Callable[[], Awaitable[int]] | None:
    """A periodic check of what no query notices: the SQLite file deleted under the daemon."""
    path = sqlite_path(engine.url)
    return SqliteFileCheck(path).check if path is not None else None
