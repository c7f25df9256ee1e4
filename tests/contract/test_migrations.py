"""Migrations on every SQL backend: head matches tables.py, and the newest revision reverses.

SQL-only by nature (the memory store has no schema): it runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.sql.engine import make_engine
from service.adapters.sql.migrate import alembic_config, downgrade, head_revision, upgrade
from service.adapters.sql.schema import SCHEMA_HEAD, current_revision, ensure_at_head
from service.adapters.sql.tables import metadata
from service.core.errors import SchemaOutOfDate

pytestmark = pytest.mark.sql


def _diff(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _current(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


async def test_head_schema_matches_the_table_definitions(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(_diff) == []


async def test_newest_revision_downgrades_and_upgrades(
    engine: AsyncEngine, database_url: str
) -> None:
    await engine.dispose()
    try:
        await _down_and_up(engine, database_url)
    finally:
        await engine.dispose()
        await asyncio.to_thread(upgrade, database_url)


async def _down_and_up(engine: AsyncEngine, database_url: str) -> None:
    await asyncio.to_thread(downgrade, database_url, "-1")
    newest = ScriptDirectory.from_config(alembic_config(database_url)).get_revision(head_revision())
    assert newest is not None
    async with engine.connect() as conn:
        assert await conn.run_sync(_current) == newest.down_revision
    with pytest.raises(SchemaOutOfDate, match=f"at {newest.down_revision}, code expects"):
        await ensure_at_head(engine)
    await engine.dispose()
    await asyncio.to_thread(upgrade, database_url)
    await ensure_at_head(engine)
    async with engine.connect() as conn:
        assert {"meetings", "bots", "bot_status_changes"} <= await conn.run_sync(_tables)
        assert await conn.run_sync(_diff) == []


def test_there_is_exactly_one_head_and_the_daemon_knows_it() -> None:
    assert head_revision() == SCHEMA_HEAD, (
        "a new migration: set SCHEMA_HEAD in service/adapters/sql/schema.py to its revision"
    )


async def test_an_empty_database_is_refused_with_the_way_out(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    try:
        with pytest.raises(SchemaOutOfDate, match=r"at nothing.*run `autojoin migrate`"):
            await ensure_at_head(engine)
    finally:
        await engine.dispose()


async def test_the_daemons_revision_check_reads_what_alembic_wrote(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        assert await conn.run_sync(current_revision) == await conn.run_sync(_current)
