"""Assembly: builds the concrete objects of a daemon from settings (the wiring, no running)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.alerting import LoggingAlerts
from service.adapters.feeds.fetch import FetchSettings, HttpFeedFetcher
from service.adapters.feeds.parsing import ThreadParser
from service.adapters.local_budget import LocalBudget
from service.adapters.mavera.client import MaveraClient
from service.adapters.runner import Runner, RunnerSettings
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
from service.config import Settings
from service.core.feed_reading import ReadSettings
from service.core.ics import FeedLimits
from service.core.polling import PollingPolicy
from service.core.ports import Alerts, Clock, FeedParser, RequestBudget
from service.core.timing import Timing
from service.credentials import ApiKey
from service.usecases.dispatch import Dispatcher, DispatchSettings
from service.usecases.replan import Replanner, ReplanSettings
from service.usecases.sync_calendars import CalendarSync, SyncSettings
from service.usecases.track import Tracker, TrackingSettings


@dataclass(frozen=True, slots=True, kw_only=True)
class Daemon:
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


def worker_id(settings: Settings) -> str:
    return settings.scheduler.worker_id or (
        f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    )


def polling_policy(settings: Settings) -> PollingPolicy:
    tracking = settings.tracking
    return PollingPolicy(
        in_call=tracking.in_call_interval,
        near_join=tracking.near_join_interval,
        far=tracking.far_interval,
        processing=tracking.processing_interval,
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
        settings=ReplanSettings(
            policy=settings.planner.policy,
            min_lead=settings.planner.min_lead,
            read_share=settings.tracking.read_share,
        ),
    )


def timing(settings: Settings) -> Timing:
    return Timing(
        join_lead=settings.scheduler.join_lead,
        min_lead=settings.planner.min_lead,
        deadline_margin=settings.planner.deadline_margin,
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
        sources=SqlSourceStore(engine, freeze=settings.scheduler.freeze),
        fetcher=HttpFeedFetcher(session, fetch_settings(settings)),
        clock=clock,
        settings=SyncSettings(
            read=read_settings(settings),
            parallel=parser.parallel,
        ),
        parser=parser,
    )


def feed_limits(settings: Settings) -> FeedLimits:
    """The one place the ``calendars:`` limits become the parser's: sync, import, preview."""
    calendars = settings.calendars
    return FeedLimits(
        max_lines=calendars.max_feed_lines,
        max_events=calendars.max_feed_events,
        max_repetitions=calendars.max_feed_repetitions,
        max_occurrences=calendars.max_feed_occurrences,
        max_event_repetitions=calendars.max_event_repetitions,
        max_event_occurrences=calendars.max_event_occurrences,
    )


def read_settings(settings: Settings) -> ReadSettings:
    calendars = settings.calendars
    return ReadSettings(
        past=timedelta(days=calendars.past_days),
        ahead=timedelta(days=calendars.sync_days),
        fallback_zone=calendars.fallback_zone,
        limits=feed_limits(settings),
        rules=settings.rules,
        timing=timing(settings),
    )


def fetch_settings(settings: Settings) -> FetchSettings:
    calendars = settings.calendars
    return FetchSettings(
        timeout=calendars.fetch_timeout,
        max_bytes=calendars.max_feed_bytes,
        max_redirects=calendars.max_redirects,
        allow_private=calendars.allow_private_addresses,
    )


def database_check(engine: AsyncEngine) -> Callable[[], Awaitable[int]] | None:
    """A periodic check of what no query notices: the SQLite file deleted under the daemon."""
    path = sqlite_path(engine.url)
    return SqliteFileCheck(path).check if path is not None else None


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
    policy = polling_policy(settings)
    worker = worker_id(settings)
    dispatch_store = SqlDispatchStore(engine, worker_id=worker)
    dispatcher = Dispatcher(
        store=dispatch_store,
        api=client,
        budget=budget,
        clock=clock,
        settings=DispatchSettings(
            bot_name=settings.mavera.bot_name,
            workspace_id=settings.mavera.workspace_id,
            lease=settings.scheduler.lease,
            batch_size=settings.scheduler.batch_size,
            settle=settings.mavera.request_timeout * 2,
            give_up_after=settings.tracking.give_up_after,
            polling=policy,
            freeze=settings.scheduler.freeze,
            send_margin=settings.send_margin,
        ),
    )
    tracker_store = SqlTrackingStore(engine)
    tracker = Tracker(
        store=tracker_store,
        api=client,
        clock=clock,
        settings=TrackingSettings(policy=policy, workspace_id=settings.mavera.workspace_id),
    )
    replanner = make_replanner(settings, engine, budget, clock, alerts)
    runner = Runner(
        dispatcher=dispatcher,
        tracker=tracker,
        replanner=replanner,
        store=dispatch_store,
        leases=SqlLeases(engine, holder=worker),
        clock=clock,
        alerts=alerts,
        database_check=database_check(engine),
        syncer=(
            make_calendar_sync(settings, engine, feed_session, clock, parser)
            if feed_session
            else None
        ),
        settings=RunnerSettings(
            dispatch_tick=settings.scheduler.tick,
            tracking_tick=settings.tracking.tick,
            replan_interval=settings.planner.interval,
            timer_window=settings.scheduler.timer_window,
        ),
    )
    return Daemon(
        engine=engine,
        alerts=alerts,
        budget=budget,
        runner=runner,
        dispatcher=dispatcher,
        tracker=tracker,
        replanner=replanner,
        meetings=SqlMeetingStore(engine),
        dispatch=dispatch_store,
        tracker_store=tracker_store,
    )
