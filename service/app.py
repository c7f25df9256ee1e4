"""The daemon's life: open the store, start in order, run until stopped, stop in reverse."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.clock import SystemClock
from service.adapters.feeds.fetch import feed_session
from service.adapters.feeds.parsing import make_parser
from service.adapters.sql.availability import require_file, store_errors
from service.adapters.sql.engine import check_url, make_engine, sqlite_path
from service.adapters.sql.file_lock import single_daemon
from service.adapters.sql.schema import ensure_at_head
from service.adapters.sql.source_store import SqlSourceStore
from service.assembly import Daemon, build_daemon, fetch_settings, read_settings, timing
from service.config import Settings
from service.core.feed_reading import read_feed
from service.core.json_meetings import JSON_SOURCE, parse_rows, plan
from service.core.ports import Clock
from service.core.sourcing import ApplyCounts, judged
from service.credentials import ApiKey
from service.demo import demo_key, demo_rows
from service.simulator import OutcomeMix, SimulatorSettings, running_simulator
from service.usecases.sync_calendars import log_skipped

log = logging.getLogger(__name__)


@asynccontextmanager
async def open_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The engine, once the database answers and its schema is at head.

    :raises ConfigError: the URL is not a supported database URL.
    :raises StoreUnavailable: the database cannot be reached or used, here or inside.
    :raises SchemaOutOfDate: the schema is not the one this code expects.
    """
    url = settings.database.url
    engine = make_engine(url)
    try:
        require_file(url, create=False)
        with store_errors(url, connecting=True):
            await ensure_at_head(engine)
        with store_errors(url, connecting=False):
            yield engine
    finally:
        await engine.dispose()


async def import_rows(
    settings: Settings, engine: AsyncEngine, rows: Any, clock: Clock
) -> ApplyCounts:
    """Validate all rows first; store them in one transaction only if every row is good."""
    now = clock.now()
    parsed = [judged(meeting, rules=settings.rules, now=now) for meeting in parse_rows(rows)]
    planned = plan(parsed, timing(settings))
    store = SqlSourceStore(engine, freeze=settings.scheduler.freeze)
    return await store.apply(JSON_SOURCE, planned, window=None, now=now)


async def import_ics(
    settings: Settings,
    engine: AsyncEngine,
    data: bytes,
    *,
    source: str,
    owner_email: str | None,
    clock: Clock,
) -> ApplyCounts:
    """Meetings from an ICS file, inside the sync window; an import never removes any."""
    now = clock.now()
    job = read_settings(settings).job(source=source, owner_email=owner_email, now=now)
    read = read_feed(data, job)
    log_skipped(source, read.skipped)
    store = SqlSourceStore(engine, freeze=settings.scheduler.freeze)
    return await store.apply(source, read.planned, window=None, now=now)


async def run_daemon(settings: Settings, api_key: ApiKey | None, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set. Without an API key: demo mode against the local simulator."""
    clock = SystemClock()
    async with AsyncExitStack() as stack:
        # The lock first, the engine after: the lock's descriptor outlives every connection.
        path = sqlite_path(check_url(settings.database.url))
        if path is not None:
            require_file(settings.database.url, create=False)
            stack.enter_context(single_daemon(path))
        engine = await stack.enter_async_context(open_engine(settings))
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
        feeds = await stack.enter_async_context(feed_session(fetch_settings(settings)))
        parser = make_parser(settings.calendars.parse_workers)
        stack.callback(parser.close)
        daemon = await build_daemon(
            feed_session=feeds,
            parser=parser,
            settings=settings,
            engine=engine,
            session=session,
            api_key=api_key,
            base_url=base_url,
            clock=clock,
        )
        if demo:
            counts = await import_rows(settings, engine, demo_rows(clock.now()), clock)
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
