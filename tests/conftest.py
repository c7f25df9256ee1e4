"""Shared fixtures: every store on each backend, databases built by Alembic (SQLite,
PostgreSQL), clocks.

Which backends the store fixtures run on comes from ``TEST_DATABASES`` (comma-separated:
``memory``, ``sqlite``, ``postgresql``; default ``memory,sqlite``); CI runs the PostgreSQL one
too. ``stores`` is parametrised over all of them (the contract suite: one set of tests, every
backend); ``database_url`` and ``engine`` over the SQL ones only (migrations, the engine, the
daemon). A selected backend that cannot be reached is an error, never a skip.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.sql.engine import make_engine
from service.adapters.sql.migrate import upgrade
from service.adapters.sql.tables import metadata
from tests.backends import Stores, memory_stores, sql_stores
from tests.fakes.clock import FakeClock

BACKENDS = [b.strip() for b in os.environ.get("TEST_DATABASES", "memory,sqlite").split(",")]
SQL_BACKENDS = [backend for backend in BACKENDS if backend != "memory"]
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, migrated to head."""
    name = f"autojoin_test_{uuid.uuid4().hex[:10]}"
    admin = make_url(POSTGRES_ADMIN_URL)
    url = str(admin.set(database=name).render_as_string(hide_password=False))
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _admin(statement: str) -> None:
    engine = make_engine(POSTGRES_ADMIN_URL, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(params=SQL_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database on each selected SQL backend."""
    return _database(request, request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str | None]:
    """Each selected backend, with its migrated, empty database (None for memory)."""
    if request.param == "memory":
        return "memory", None
    return request.param, _database(request, request.param, tmp_path)


def _database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    if backend == "sqlite":
        path = tmp_path / "autojoin.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    if backend == "postgresql":
        url: str = request.getfixturevalue("postgres_database")
        asyncio.run(_truncate(url))
        return url
    raise pytest.UsageError(f"unknown test database backend {backend!r}")


async def _truncate(url: str) -> None:
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            names = ", ".join(table.name for table in reversed(metadata.sorted_tables))
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    async with _engine(database_url) as engine:
        yield engine


@pytest.fixture
async def stores(backend: tuple[str, str | None]) -> AsyncIterator[Stores]:
    """Every store of one backend (the contract suite runs each test on every backend)."""
    name, url = backend
    if url is None:
        yield memory_stores()
        return
    async with _engine(url) as engine:
        yield sql_stores(name, engine)


@asynccontextmanager
async def _engine(url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(url)
    try:
        yield engine
        checked_out = engine.pool.checkedout()  # type: ignore[attr-defined]
        assert checked_out == 0, f"{checked_out} connections left checked out"
    finally:
        await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)
