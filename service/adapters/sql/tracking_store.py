"""SqlTrackingStore: which bots to read next, and every status change observed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.adapters.sql.engine import reading
from service.adapters.sql.events import note
from service.adapters.sql.fencing import state_in
from service.adapters.sql.rows import bot_from_row
from service.adapters.sql.tables import bot_status_changes, bots, meetings
from service.core.dispatch.notes import state_note
from service.core.dispatch.states import DispatchEvent, sources, transition
from service.core.model import NOT_FOUND, Bot, Observed, found_fields, not_found_fields

CHUNK = 400
# A lost bot fails its meeting only while the meeting is booked with it.
[LOSES_BOT] = sources(DispatchEvent.LOST)


class SqlTrackingStore:
    """The ``TrackingStore`` port on the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def due_for_check(self, *, now: datetime, limit: int) -> list[Bot]:
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
        if not observed:
            return
        changed = [item for item in observed if item.changed]
        same = [item for item in observed if not item.changed]
        async with self._engine.begin() as conn:
            if changed:
                await _record_changes(conn, changed, now)
            if same:
                await conn.execute(
                    update(bots)
                    .where(bots.c.id == bindparam("bot_id"))
                    .values(next_check_at=bindparam("check_at"), updated_at=now),
                    [_params(item) for item in same],
                )

    async def record_missing(
        self, bot_id: int, *, now: datetime, retry_at: datetime, message: str
    ) -> None:
        async with self._engine.begin() as conn:
            fields = not_found_fields(message, next_check_at=retry_at, now=now)
            await conn.execute(update(bots).where(bots.c.id == bot_id).values(fields))

    async def record_found(self, bot_ids: Sequence[int], *, now: datetime) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(bots)
                .where(bots.c.id.in_(list(bot_ids)), bots.c.last_error_code == NOT_FOUND)
                .values(found_fields(now))
            )

    async def record_lost(self, bot_id: int, *, now: datetime, message: str) -> bool:
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(
                    update(bots)
                    .where(bots.c.id == bot_id)
                    .values(not_found_fields(message, next_check_at=None, now=now))
                    .returning(bots.c.meeting_id, bots.c.active)
                )
            ).one()
            await note(conn, row.meeting_id, now, "lost", message)
            if not row.active:
                return False
            return await _fail_booked(conn, row.meeting_id, bot_id, now, message)


async def _fail_booked(
    conn: AsyncConnection, meeting_id: int, bot_id: int, now: datetime, message: str
) -> bool:
    """Fail the meeting if it is still booked (with this bot): its booking is closed."""
    after = transition(LOSES_BOT, DispatchEvent.LOST)
    failed = await conn.execute(
        update(meetings)
        .where(meetings.c.id == meeting_id, state_in({LOSES_BOT}))
        .values(dispatch_state=after.value, last_error=message, updated_at=now)
    )
    if failed.rowcount != 1:
        return False
    await conn.execute(update(bots).where(bots.c.id == bot_id).values(active=False))
    await note(conn, meeting_id, now, *state_note(LOSES_BOT, after))
    return True


def _params(item: Observed) -> dict[str, object]:
    return {"bot_id": item.bot_id, "new_status": item.status, "check_at": item.next_check_at}


async def _record_changes(
    conn: AsyncConnection, changed: Sequence[Observed], now: datetime
) -> None:
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
        [{"bot_id": item.bot_id, "status": item.status, "observed_at": now} for item in changed],
    )
