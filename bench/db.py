"""A fresh database per run (SQLite file or PostgreSQL database) and read-only views of it."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from service.adapters.sql.tables import bot_status_changes, bots, meetings

DbKind = Literal["sqlite", "postgresql"]
DB_KINDS: tuple[DbKind, ...] = ("sqlite", "postgresql")
DEFAULT_PG_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def _admin(admin_url: str, statement: str) -> None:
    engine = create_async_engine(
        admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT", hide_parameters=True
    )
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def check_postgres(admin_url: str) -> None:
    """Raise if the PostgreSQL server behind ``admin_url`` cannot be reached."""
    await _admin(admin_url, "SELECT 1")


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


@asynccontextmanager
async def fresh_database(kind: DbKind, *, workdir: Path, admin_url: str) -> AsyncIterator[str]:
    """Yield the URL of an empty database; it is deleted afterwards, even on failure."""
    if kind == "sqlite":
        path = workdir / "autojoin.db"
        try:
            yield f"sqlite+aiosqlite:///{path}"
        finally:
            _remove_sqlite(path)
        return
    name = f"bench_{uuid.uuid4().hex[:12]}"
    await _admin(admin_url, f'CREATE DATABASE "{name}"')
    try:
        url = make_url(admin_url).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        await _admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingRow:
    id: int
    meeting_url: str
    join_at: datetime
    dispatch_state: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BotRow:
    id: int
    meeting_id: int
    mavera_id: str | None
    active: bool
    status: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeRow:
    bot_id: int
    status: str
    observed_at: datetime


class StoreReader:
    """Reads the daemon's tables without taking a write lock (plain engine, no pool)."""

    def __init__(self, url: str) -> None:
        self._engine = create_async_engine(url, poolclass=NullPool, hide_parameters=True)

    async def close(self) -> None:
        await self._engine.dispose()

    async def state_counts(self) -> dict[str, int]:
        query = select(meetings.c.dispatch_state, func.count()).group_by(meetings.c.dispatch_state)
        async with self._engine.connect() as conn:
            return {str(state): int(n) for state, n in (await conn.execute(query)).all()}

    async def meetings(self) -> list[MeetingRow]:
        c = meetings.c
        query = select(c.id, c.meeting_url, c.join_at, c.dispatch_state).order_by(c.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            MeetingRow(
                id=r.id,
                meeting_url=r.meeting_url,
                join_at=r.join_at,
                dispatch_state=r.dispatch_state,
            )
            for r in rows
        ]

    async def bots(self) -> list[BotRow]:
        c = bots.c
        query = select(c.id, c.meeting_id, c.mavera_id, c.active, c.status).order_by(c.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            BotRow(
                id=r.id,
                meeting_id=r.meeting_id,
                mavera_id=r.mavera_id,
                active=bool(r.active),
                status=r.status,
            )
            for r in rows
        ]

    async def changes(self) -> list[ChangeRow]:
        c = bot_status_changes.c
        query = select(c.bot_id, c.status, c.observed_at).order_by(c.observed_at, c.id)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            ChangeRow(bot_id=r.bot_id, status=r.status, observed_at=r.observed_at) for r in rows
        ]
