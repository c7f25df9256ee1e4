"""Data migrations on every SQL backend: rows written under an older schema survive upgrades.

SQL-only by nature (the memory store has no schema): it runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.sql.migrate import downgrade, upgrade
from service.adapters.sql.tables import UtcDateTime

pytestmark = pytest.mark.sql

BEFORE_SOURCES = "8c8deba555a8"
INSERT_OLD_MEETING = text(
    "INSERT INTO meetings (id, source, source_key, title, meeting_url, platform, start_at,"
    " end_at, join_at, organizer, attendees, dispatch_state, dispatch_at, deadline,"
    " created_at, updated_at) VALUES (7, 'json', 'evt-7', 'Review',"
    " 'https://acme.zoom.us/j/81234567890', 'zoom', :at, :at, :at, NULL, '[]', 'waiting',"
    " :at, :at, :at, :at)"
).bindparams(bindparam("at", type_=UtcDateTime))


async def test_each_meetings_source_moves_to_meeting_sources_and_back(
    engine: AsyncEngine, database_url: str
) -> None:
    await engine.dispose()
    await asyncio.to_thread(downgrade, database_url, BEFORE_SOURCES)
    try:
        await _round_trip(engine, database_url)
    finally:
        await engine.dispose()
        await asyncio.to_thread(upgrade, database_url)


async def _round_trip(engine: AsyncEngine, database_url: str) -> None:
    async with engine.begin() as conn:
        await conn.execute(INSERT_OLD_MEETING, {"at": datetime(2026, 11, 24, 9, tzinfo=UTC)})
    await engine.dispose()
    await asyncio.to_thread(upgrade, database_url)
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT meeting_id, source, source_key, record FROM meeting_sources")
            )
        ).all()
        wanted = await conn.scalar(text("SELECT wanted FROM meetings WHERE id = 7"))
    assert [tuple(row) for row in rows] == [(7, "json", "evt-7", True)]
    assert bool(wanted)  # SQLite answers 1, PostgreSQL true
    await engine.dispose()
    await asyncio.to_thread(downgrade, database_url, BEFORE_SOURCES)
    async with engine.connect() as conn:
        back = (await conn.execute(text("SELECT source, source_key FROM meetings"))).all()
    assert [tuple(row) for row in back] == [("json", "evt-7")]
