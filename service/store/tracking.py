"""SqlTrackingStore: which bots to read next, and every status change observed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from service.model import Bot
from service.store.rows import bot_from_row
from service.store.tables import bot_status_changes, bots


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
        async with self._engine.connect() as conn:
            return [bot_from_row(row) for row in (await conn.execute(query)).mappings()]

    async def record_observation(
        self,
        bot_id: int,
        *,
        status: str,
        changed: bool,
        now: datetime,
        next_check_at: datetime | None,
    ) -> None:
        """Store a read: the new status (if it changed, also in the history) and the next read."""
        values: dict[str, object] = {"next_check_at": next_check_at, "updated_at": now}
        if changed:
            values.update(status=status, status_changed_at=now)
        async with self._engine.begin() as conn:
            await conn.execute(update(bots).where(bots.c.id == bot_id).values(values))
            if changed:
                await conn.execute(
                    insert(bot_status_changes).values(bot_id=bot_id, status=status, observed_at=now)
                )

    async def stop_tracking(self, bot_id: int, *, now: datetime, code: str, message: str) -> None:
        """No more reads for this bot (tracking deadline passed, or Mavera lost it)."""
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
