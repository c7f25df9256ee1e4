"""What the composition root opens: the database (with its lock, for a daemon on SQLite),
the demo simulator, the HTTP sessions and the parser pool; each closed in reverse order."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.clock import SystemClock
from service.adapters.feeds.fetch import feed_session
from service.adapters.feeds.parsing import make_parser
from service.adapters.sql.availability import require_file, store_errors
from service.adapters.sql.engine import check_url, make_engine, sqlite_path
from service.adapters.sql.file_lock import single_daemon
from service.adapters.sql.schema import ensure_at_head
from service.composition import settings as parts
from service.composition.daemon import Daemon, build_daemon
from service.composition.use_cases import UseCases, use_cases
from service.config import Settings
from service.core.ports import Clock
from service.credentials import ApiKey
from service.demo import demo_key
from service.simulator import OutcomeMix, SimulatorSettings, running_simulator

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Opened:
    """A daemon on its open resources, with the use cases on the same ones."""

    daemon: Daemon
    use_cases: UseCases
    clock: Clock
    demo: bool
    """Against the local simulator: no API key was given."""
    sole: bool
    """The only daemon on its database (SQLite, under the file lock)."""


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


@asynccontextmanager
async def open_daemon(
    settings: Settings, api_key: ApiKey | None, clock: Clock | None = None
) -> AsyncIterator[Opened]:
    """Open, in order: the lock (SQLite: one daemon per database), the engine, the local
    simulator (demo mode, without an API key), the HTTP sessions and the parser pool; build
    the daemon and the use cases on them. All is closed in reverse when the block ends.

    :raises StoreLocked: another daemon runs on this SQLite database.
    :raises StoreUnavailable: the database cannot be reached or used.
    :raises SchemaOutOfDate: the schema is not the one this code expects.
    """
    clock = clock or SystemClock()
    async with AsyncExitStack() as stack:
        sole = _lock(stack, settings)  # first: the lock's descriptor outlives every connection
        engine = await stack.enter_async_context(open_engine(settings))
        base_url, key = await _mavera(stack, settings, api_key)
        session = await stack.enter_async_context(aiohttp.ClientSession())
        feeds = await stack.enter_async_context(feed_session(parts.fetch_settings(settings)))
        parser = make_parser(settings.calendars.parse_workers)
        stack.callback(parser.close)
        daemon = await build_daemon(
            feed_session=feeds,
            parser=parser,
            settings=settings,
            engine=engine,
            session=session,
            api_key=key,
            base_url=base_url,
            clock=clock,
        )
        uses = use_cases(settings, engine=engine, clock=clock, feeds=feeds, parser=parser)
        yield Opened(daemon=daemon, use_cases=uses, clock=clock, demo=api_key is None, sole=sole)


def _lock(stack: AsyncExitStack, settings: Settings) -> bool:
    """On SQLite, hold the database file's lock (one daemon per database); True then."""
    path = sqlite_path(check_url(settings.database.url))
    if path is None:
        return False
    require_file(settings.database.url, create=False)
    stack.enter_context(single_daemon(path))
    return True


async def _mavera(
    stack: AsyncExitStack, settings: Settings, api_key: ApiKey | None
) -> tuple[str, ApiKey]:
    """Where Mavera is, and the key: the configured ones, or without a key (demo mode) a
    local simulator's."""
    if api_key is not None:
        return settings.mavera.base_url, api_key
    simulator = await stack.enter_async_context(running_simulator(demo_simulator(settings)))
    log.warning(
        "DEMO MODE: no MAVERA_API_KEY set; bots are SIMULATED by a local Mavera "
        "simulator at %s. Nothing is sent to the real API.",
        simulator.base_url,
    )
    return simulator.base_url, ApiKey(demo_key())


def demo_simulator(settings: Settings) -> SimulatorSettings:
    """A simulator whose bots live about two minutes, one in five waiting to be admitted."""
    return SimulatorSettings.fast(
        rpm=settings.mavera.requests_per_minute, mix=OutcomeMix(waiting_room_admitted=0.2)
    )


@asynccontextmanager
async def open_use_cases(
    settings: Settings, *, parse_workers: int = 0, clock: Clock | None = None
) -> AsyncIterator[UseCases]:
    """The use cases on a database, a feed session and a parser opened for the block (a
    command's); feeds are parsed in ``parse_workers`` processes (0: a thread).

    :raises ConfigError: the database URL is not a supported one.
    :raises StoreUnavailable: the database cannot be reached or used.
    :raises SchemaOutOfDate: the schema is not the one this code expects.
    """
    async with AsyncExitStack() as stack:
        engine = await stack.enter_async_context(open_engine(settings))
        feeds = await stack.enter_async_context(feed_session(parts.fetch_settings(settings)))
        parser = make_parser(parse_workers)
        stack.callback(parser.close)
        yield use_cases(
            settings, engine=engine, clock=clock or SystemClock(), feeds=feeds, parser=parser
        )


def migrate(settings: Settings) -> None:
    """Create or upgrade the database schema (Alembic, to head)."""
    from service.adapters.sql.migrate import upgrade  # Alembic loads for this command only

    upgrade(settings.database.url)
