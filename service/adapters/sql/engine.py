"""Async engine construction: SQLite pragmas and write-locking, PostgreSQL timeouts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from service.core.errors import ConfigError

SQLITE_BUSY_TIMEOUT_MS = 10_000
READ_ONLY = "autojoin_read_only"
POSTGRES_STATEMENT_TIMEOUT_MS = 15_000
# The engines this code is written and tested for (each gets its own settings below).
SUPPORTED = frozenset({"sqlite+aiosqlite", "postgresql+asyncpg"})
URL_KEY = "database.url"
URL_FORMS = "sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db"


def check_url(url: str | URL) -> URL:
    """The parsed URL of a supported database; never quotes it (it may hold a password).

    :raises ConfigError: not a URL, not SQLite through aiosqlite nor PostgreSQL through
        asyncpg, or a SQLite database without a file.
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        # Not chained: SQLAlchemy's message quotes the URL, password and all.
        raise ConfigError(URL_KEY, f"not a database URL (expected {URL_FORMS})") from None
    # The name as written: asking SQLAlchemy for the driver would import the dialect first.
    if parsed.drivername not in SUPPORTED:
        raise ConfigError(URL_KEY, f"unsupported database {parsed.drivername!r} (use {URL_FORMS})")
    if parsed.drivername.startswith("sqlite") and parsed.database in (None, "", ":memory:"):
        raise ConfigError(URL_KEY, "an in-memory SQLite database keeps nothing; give a file path")
    return parsed


def display_url(url: str | URL) -> str:
    """How a database is named in messages: a SQLite file's path, else the URL with its
    password masked."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return "(unparseable URL)"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str | URL) -> str | None:
    """The file behind a SQLite URL; None for an in-memory database or any other backend."""
    if not is_sqlite(url):
        return None
    database = make_url(url).database
    return database if database and database != ":memory:" else None


def make_engine(url: str | URL, *, pool_size: int = 5, foreign_keys: bool = True) -> AsyncEngine:
    """Build the one engine of the process; SQLite serialises writers with BEGIN IMMEDIATE.

    :raises ConfigError: ``url`` is not a supported database URL (``check_url``).

    ``foreign_keys=False`` is for migrations only: SQLite rebuilds a table to alter it, and
    dropping the old copy would trip the checks of the rows that point at it.
    """
    # Parameters hold feed URLs and meeting links with passcodes: errors never show them.
    url = check_url(url)
    if is_sqlite(url):
        engine = create_async_engine(
            url, pool_size=pool_size, pool_timeout=30, hide_parameters=True
        )
        _configure_sqlite(engine, foreign_keys=foreign_keys)
        return engine
    return create_async_engine(
        url,
        pool_size=pool_size,
        pool_timeout=30,
        pool_pre_ping=True,
        hide_parameters=True,
        connect_args={
            "server_settings": {"statement_timeout": str(POSTGRES_STATEMENT_TIMEOUT_MS)},
            "timeout": 10,
        },
    )


def _configure_sqlite(engine: AsyncEngine, *, foreign_keys: bool) -> None:
    # pysqlite's own transaction handling defers BEGIN until the first write, which lets two
    # writers read the same row and both decide to claim it. We take the write lock up front.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed dispatch intent survives an OS crash, not only a process crash.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@asynccontextmanager
async def reading(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection for reads only: on SQLite it does not take the write lock (WAL lets
    readers and the one writer work side by side)."""
    async with engine.connect() as conn:
        yield await conn.execution_options(**{READ_ONLY: True})
