"""SqlMeetingStore: meeting views out (list, explain), the manual override and an operator's
retry of a failed dispatch in."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.adapters.sql.engine import reading
from service.adapters.sql.events import note
from service.adapters.sql.rows import (
    bot_from_row,
    change_from_row,
    event_from_row,
    meeting_from_row,
    source_from_row,
)
from service.adapters.sql.tables import (
    bot_status_changes,
    bots,
    meeting_events,
    meeting_sources,
    meetings,
)
from service.adapters.sql.wishes import settle_wishes
from service.core.dispatch.decisions import check_override, retried
from service.core.dispatch.notes import override_note
from service.core.dispatch.states import DispatchState
from service.core.errors import MeetingNotFound
from service.core.model import Bot, MeetingView

CHUNK = 400


class SqlMeetingStore:
    """The ``MeetingStore`` port on the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def views(
        self, *, starting_after: datetime | None = None, limit: int = 1000
    ) -> list[MeetingView]:
        query = select(meetings).order_by(meetings.c.start_at, meetings.c.id).limit(limit)
        if starting_after is not None:
            query = query.where(meetings.c.end_at > starting_after)
        async with reading(self._engine) as conn:
            rows = (await conn.execute(query)).mappings().all()
            latest = await _latest_bots(conn, [row["id"] for row in rows])
        return [
            MeetingView(meeting=meeting_from_row(row), bot=latest.get(row["id"])) for row in rows
        ]

    async def view(self, meeting_id: int) -> MeetingView:
        async with reading(self._engine) as conn:
            query = select(meetings).where(meetings.c.id == meeting_id)
            row = (await conn.execute(query)).mappings().first()
            if row is None:
                raise MeetingNotFound(meeting_id)
            bot = (await _latest_bots(conn, [meeting_id])).get(meeting_id)
            history = await _all(conn, bot_status_changes, "bot_id", bot.id if bot else -1)
            sources = await _all(conn, meeting_sources, "meeting_id", meeting_id)
            events = await _all(conn, meeting_events, "meeting_id", meeting_id)
        return MeetingView(
            meeting=meeting_from_row(row),
            bot=bot,
            history=tuple(change_from_row(change) for change in history),
            sources=tuple(source_from_row(source) for source in sources),
            events=tuple(event_from_row(event) for event in events),
        )

    async def bookings(self, meeting_id: int) -> list[Bot]:
        async with reading(self._engine) as conn:
            return [bot_from_row(row) for row in await _all(conn, bots, "meeting_id", meeting_id)]

    async def set_override(
        self, meeting_id: int, override: str | None, *, now: datetime, freeze: timedelta
    ) -> MeetingView:
        check_override(override)
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(meetings)
                .where(meetings.c.id == meeting_id)
                .values(override=override, updated_at=now)
            )
            if result.rowcount != 1:
                raise MeetingNotFound(meeting_id)
            await note(conn, meeting_id, now, *override_note(override))
            await settle_wishes(conn, [meeting_id], changed=(), now=now, freeze=freeze)
        return await self.view(meeting_id)

    async def retry_failed(
        self, meeting_id: int, *, now: datetime, freeze: timedelta
    ) -> MeetingView:
        async with self._engine.begin() as conn:
            before = await _retryable(conn, meeting_id)
            after = retried(meeting_id, before)
            result = await conn.execute(
                update(meetings)
                .where(meetings.c.id == meeting_id, meetings.c.dispatch_state == before.value)
                .values(dispatch_state=after.value, dispatch_at=now, updated_at=now)
            )
            if result.rowcount != 1:  # changed since it was read (a guard; the row is locked)
                await _retryable(conn, meeting_id)
            await note(conn, meeting_id, now, "retry", "a new dispatch was asked for")
            await note(conn, meeting_id, now, "state", f"{before.value} -> {after.value}")
            await settle_wishes(conn, [meeting_id], changed=[meeting_id], now=now, freeze=freeze)
        return await self.view(meeting_id)


async def _retryable(conn: AsyncConnection, meeting_id: int) -> DispatchState:
    """The meeting's dispatch state, locked against other writers until the retry is done.

    :raises MeetingNotFound: no meeting has this id.
    """
    query = select(meetings.c.dispatch_state).where(meetings.c.id == meeting_id)
    found = await conn.scalar(query.with_for_update())
    if found is None:
        raise MeetingNotFound(meeting_id)
    return DispatchState(found)


async def _all(conn: AsyncConnection, table: Any, column: str, value: int) -> list[Any]:
    query = select(table).where(table.c[column] == value).order_by(table.c.id)
    return list((await conn.execute(query)).mappings().all())


async def _latest_bots(conn: AsyncConnection, meeting_ids: list[int]) -> dict[int, Any]:
    """The active booking of each meeting, else its most recent one."""
    found: dict[int, Any] = {}
    for start in range(0, len(meeting_ids), CHUNK):
        ids = meeting_ids[start : start + CHUNK]
        query = (
            select(bots)
            .where(bots.c.meeting_id.in_(ids))
            .order_by(bots.c.meeting_id, bots.c.active, bots.c.id)
        )
        for row in (await conn.execute(query)).mappings():
            found[row["meeting_id"]] = bot_from_row(row)
    return found
