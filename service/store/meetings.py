"""SqlMeetingStore: meetings in, meeting views out (import, list, explain)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.errors import MeetingNotFound
from service.model import DispatchState, MeetingView
from service.planning import PlannedMeeting
from service.store.engine import reading
from service.store.rows import bot_from_row, change_from_row, meeting_from_row
from service.store.tables import bot_status_changes, bots, meetings

CHUNK = 400
# What the meeting wants; the booking (bots row) keeps what was actually sent.
_DESIRED = (
    "title",
    "meeting_url",
    "platform",
    "start_at",
    "end_at",
    "organizer",
    "attendees",
    "join_at",
    "deadline",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


class SqlMeetingStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def upsert(self, planned: Sequence[PlannedMeeting], *, now: datetime) -> UpsertCounts:
        """Insert new meetings and update changed ones in place, in one transaction.

        Keyed by (source, source_key). The meeting row holds what is wanted; the time of the
        next dispatch only moves while the meeting is waiting (a claimed or ambiguous meeting
        keeps its own schedule, and its booking keeps what was sent).
        """
        inserted = updated = unchanged = 0
        async with self._engine.begin() as conn:
            for start in range(0, len(planned), CHUNK):
                chunk = planned[start : start + CHUNK]
                existing = await _existing(conn, chunk)
                for item in chunk:
                    key = (item.meeting.source, item.meeting.source_key)
                    row = existing.get(key)
                    if row is None:
                        await conn.execute(meetings.insert().values(_new_row(item, now)))
                        inserted += 1
                    elif changes := _changes(row, item):
                        changes["updated_at"] = now
                        where = meetings.c.id == row["id"]
                        await conn.execute(meetings.update().where(where).values(changes))
                        updated += 1
                    else:
                        unchanged += 1
        return UpsertCounts(inserted=inserted, updated=updated, unchanged=unchanged)

    async def views(
        self, *, starting_after: datetime | None = None, limit: int = 1000
    ) -> list[MeetingView]:
        """Meetings by start time, each with its current (or latest) booking."""
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
        """One meeting with its latest booking and that booking's status history."""
        async with reading(self._engine) as conn:
            row = (
                (await conn.execute(select(meetings).where(meetings.c.id == meeting_id)))
                .mappings()
                .first()
            )
            if row is None:
                raise MeetingNotFound(meeting_id)
            bot = (await _latest_bots(conn, [meeting_id])).get(meeting_id)
            history: tuple[Any, ...] = ()
            if bot is not None:
                query = (
                    select(bot_status_changes)
                    .where(bot_status_changes.c.bot_id == bot.id)
                    .order_by(bot_status_changes.c.observed_at, bot_status_changes.c.id)
                )
                rows = (await conn.execute(query)).mappings().all()
                history = tuple(change_from_row(change) for change in rows)
        return MeetingView(meeting=meeting_from_row(row), bot=bot, history=history)


async def _existing(
    conn: AsyncConnection, chunk: Sequence[PlannedMeeting]
) -> dict[tuple[str, str], Any]:
    keys = {(item.meeting.source, item.meeting.source_key) for item in chunk}
    query = select(meetings).where(tuple_(meetings.c.source, meetings.c.source_key).in_(keys))
    rows = (await conn.execute(query)).mappings().all()
    return {(row["source"], row["source_key"]): row for row in rows}


def _values(item: PlannedMeeting) -> dict[str, Any]:
    meeting, times = item.meeting, item.times
    return {
        "title": meeting.title,
        "meeting_url": meeting.meeting_url,
        "platform": meeting.platform.value,
        "start_at": meeting.start_at,
        "end_at": meeting.end_at,
        "organizer": meeting.organizer,
        "attendees": list(meeting.attendees),
        "join_at": times.join_at,
        "dispatch_at": times.dispatch_at,
        "deadline": times.deadline,
    }


def _new_row(item: PlannedMeeting, now: datetime) -> dict[str, Any]:
    return {
        **_values(item),
        "source": item.meeting.source,
        "source_key": item.meeting.source_key,
        "dispatch_state": DispatchState.WAITING.value,
        "created_at": now,
        "updated_at": now,
    }


def _changes(row: Any, item: PlannedMeeting) -> dict[str, Any]:
    wanted = _values(item)
    waiting = row["dispatch_state"] == DispatchState.WAITING
    fields = (*_DESIRED, "dispatch_at") if waiting else _DESIRED
    return {name: wanted[name] for name in fields if row[name] != wanted[name]}


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
