"""Migrations on every backend: head matches tables.py, and the newest revision reverses."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from service.store.migrate import (
    alembic_config,
    downgrade,
    ensure_at_head,
    head_revision,
    upgrade,
)
from service.store.tables import metadata


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
    await engine.dispose()
    await asyncio.to_thread(upgrade, database_url)
    await ensure_at_head(engine)
    async with engine.connect() as conn:
        assert {"meetings", "bots", "bot_status_changes"} <= await conn.run_sync(_tables)
        assert await conn.run_sync(_diff) == []


def test_there_is_exactly_one_head() -> None:
    assert len(head_revision()) == 12
