"""Composition root: builds the concrete objects, starts them in order, stops them in reverse."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from service.budget import LocalBudget
from service.clock import SystemClock
from service.config import Settings
from service.credentials import ApiKey
from service.demo import demo_key, demo_rows
from service.dispatching import Dispatcher, DispatchSettings
from service.importing import parse_rows, plan
from service.mavera.client import MaveraClient
from service.polling import PollingPolicy
from service.ports import Clock, RequestBudget
from service.replanning import Replanner, ReplanSettings
from service.runner import Runner, RunnerSettings
from service.simulator import OutcomeMix, SimulatorSettings, running_simulator
from service.store.budget import SqlBudget, key_id
from service.store.dispatch import SqlDispatchStore
from service.store.engine import is_sqlite, make_engine, sqlite_path
from service.store.leases import SqlLeases
from service.store.lock import single_daemon
from service.store.meetings import SqlMeetingStore, UpsertCounts
from service.store.migrate import ensure_at_head
from service.store.plans import SqlPlanStore
from service.store.tracking import SqlTrackingStore
from service.tracking import Tracker, TrackingSettings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Daemon:
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


@asynccontextmanager
async def open_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(settings.database.url)
    try:
        await ensure_at_head(engine)
        yield engine
    finally:
        await engine.dispose()


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


async def build_daemon(
    *,
    settings: Settings,
    engine: AsyncEngine,
    session: aiohttp.ClientSession,
    api_key: ApiKey,
    base_url: str,
    clock: Clock,
) -> Daemon:
    budget = await make_budget(settings, engine, api_key, clock)
    client = MaveraClient(
        session=session,
        base_url=base_url,
        api_key=api_key,
        budget=budget,
        clock=clock,
        timeout=settings.mavera.request_timeout,
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
        ),
    )
    tracker_store = SqlTrackingStore(engine)
    tracker = Tracker(
        store=tracker_store,
        api=client,
        clock=clock,
        settings=TrackingSettings(policy=policy, workspace_id=settings.mavera.workspace_id),
    )
    replanner = make_replanner(settings, engine, budget, clock)
    runner = Runner(
        dispatcher=dispatcher,
        tracker=tracker,
        replanner=replanner,
        store=dispatch_store,
        leases=SqlLeases(engine, holder=worker),
        clock=clock,
        settings=RunnerSettings(
            dispatch_tick=settings.scheduler.tick,
            tracking_tick=settings.tracking.tick,
            replan_interval=settings.planner.interval,
            timer_window=settings.scheduler.timer_window,
        ),
    )
    return Daemon(
        budget=budget,
        runner=runner,
        dispatcher=dispatcher,
        tracker=tracker,
        replanner=replanner,
        meetings=SqlMeetingStore(engine),
        dispatch=dispatch_store,
        tracker_store=tracker_store,
    )


async def import_rows(
    settings: Settings, meetings: SqlMeetingStore, rows: Any, clock: Clock
) -> UpsertCounts:
    """Validate all rows first; store them in one transaction only if every row is good."""
    parsed = parse_rows(rows)
    planned = plan(
        parsed,
        join_lead=settings.scheduler.join_lead,
        min_lead=settings.planner.min_lead,
        deadline_margin=settings.planner.deadline_margin,
    )
    return await meetings.upsert(planned, now=clock.now())


def make_replanner(
    settings: Settings, engine: AsyncEngine, budget: RequestBudget, clock: Clock
) -> Replanner:
    return Replanner(
        store=SqlPlanStore(engine),
        budget=budget,
        clock=clock,
        settings=ReplanSettings(
            policy=settings.planner.policy,
            min_lead=settings.planner.min_lead,
            read_share=settings.tracking.read_share,
        ),
    )


async def run_daemon(settings: Settings, api_key: ApiKey | None, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set. Without an API key: demo mode against the local simulator."""
    clock = SystemClock()
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_engine(settings))
        path = sqlite_path(settings.database.url)
        if path is not None:
            stack.enter_context(single_daemon(path))
        base_url, demo = settings.mavera.base_url, api_key is None
        if api_key is None:
            simulator = await stack.enter_async_context(running_simulator(demo_simulator(settings)))
            base_url, api_key = simulator.base_url, ApiKey(demo_key())
            log.warning(
                "DEMO MODE: no MAVERA_API_KEY set; bots are SIMULATED by a local Mavera "
                "simulator at %s. Nothing is sent to the real API.",
                base_url,
            )
        session = await stack.enter_async_context(aiohttp.ClientSession())
        daemon = await build_daemon(
            settings=settings,
            engine=engine,
            session=session,
            api_key=api_key,
            base_url=base_url,
            clock=clock,
        )
        if demo:
            counts = await import_rows(settings, daemon.meetings, demo_rows(clock.now()), clock)
            log.warning(
                "DEMO MODE: %d demo meetings added, starting in 2-6 minutes", counts.inserted
            )
        await _start(daemon, settings, clock)
        stack.push_async_callback(daemon.runner.stop)
        log.info("autojoin running (worker %s); Ctrl-C stops it", daemon.dispatch.worker_id)
        await stop.wait()
        log.info("stopping: finishing in-flight dispatches")


def demo_simulator(settings: Settings) -> SimulatorSettings:
    """A simulator whose bots live about two minutes, one in five waiting to be admitted."""
    return SimulatorSettings.fast(
        rpm=settings.mavera.requests_per_minute, mix=OutcomeMix(waiting_room_admitted=0.2)
    )


async def _start(daemon: Daemon, settings: Settings, clock: Clock) -> None:
    # On SQLite this process is the only daemon (the lock says so): every claim left in the
    # database belongs to a dead process and is reconciled at once rather than after its lease.
    sole = sqlite_path(settings.database.url) is not None
    expired = await daemon.dispatch.expire_leases(now=clock.now(), all_claims=sole)
    if expired:
        log.warning("%d claims from a stopped daemon will be reconciled before any resend", expired)
    daemon.runner.start()
