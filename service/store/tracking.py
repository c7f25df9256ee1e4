"""SqlTrackingStore: which bots to read next, and every status change observed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from service.model import Bot, Observed
from service.store.engine import reading
from service.store.rows import bot_from_row
from service.store.tables import bot_status_changes, bots

CHUNK = 400


class SqlTrackingStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def due_for_check(self, *, now: datetime, limit: int) -> list[Bot]:
        """Bots with a Mavera id whose next read is due, most overdue first."""
        query = (
            select(bots)
            .where(bots.c.mavera_id.is_not(None), bots.c.next_check_at <= now)
            .order_by(bots.c.next_check_at, bots.c.id)
            .limit(limit)
        )
        async with reading(self._engine) as conn:
            return [bot_from_row(row) for row in (await conn.execute(query)).mappings()]

    async def tracked(self, mavera_ids: Sequence[str]) -> dict[str, Bot]:
        found: dict[str, Bot] = {}
        async with reading(self._engine) as conn:
            for start in range(0, len(mavera_ids), CHUNK):
                query = select(bots).where(
                    bots.c.mavera_id.in_(list(mavera_ids[start : start + CHUNK])),
                    bots.c.next_check_at.is_not(None),
                )
                for row in (await conn.execute(query)).mappings():
                    found[row["mavera_id"]] = bot_from_row(row)
        return found

    async def count_created_since(self, since: datetime) -> int:
        query = select(func.count()).where(
            bots.c.mavera_id.is_not(None), bots.c.requested_at >= since
        )
        async with reading(self._engine) as conn:
            return int(await conn.scalar(query) or 0)

    async def record_observations(self, observed: Sequence[Observed], *, now: datetime) -> None:
        """Store reads in one transaction; changed statuses also go to the history."""
        if not observed:
            return
        changed = [item for item in observed if item.changed]
        same = [item for item in observed if not item.changed]
        async with self._engine.begin() as conn:
            if changed:
                await conn.execute(
                    update(bots)
                    .where(bots.c.id == bindparam("bot_id"))
                    .values(
                        status=bindparam("new_status"),
                        status_changed_at=now,
                        next_check_at=bindparam("check_at"),
                        updated_at=now,
                    ),
                    [_params(item) for item in changed],
                )
                await conn.execute(
                    insert(bot_status_changes),
                    [
                        {"bot_id": item.bot_id, "status": item.status, "observed_at": now}
                        for item in changed
                    ],
                )
            if same:
                await conn.execute(
                    update(bots)
                    .where(bots.c.id == bindparam("bot_id"))
                    .values(next_check_at=bindparam("check_at"), updated_at=now),
                    [_params(item) for item in same],
                )

    async def stop_tracking(self, bot_id: int, *, now: datetime, code: str, message: str) -> None:
        """No more reads for this bot (Mavera lost it)."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(bots)
                .where(bots.c.id == bot_id)
                .values(
                    next_check_at=None,
                    last_error_code=code,
                    last_error_message=message,
                    updated_at=now,
                )
            )


def _params(item: Observed) -> dict[str, object]:
    return {"bot_id": item.bot_id, "new_status": item.status, "check_at": item.next_check_at}
