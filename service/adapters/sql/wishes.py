"""Wishes: after sources or an override changed, load what each touched meeting now wants,
decide (``core.dispatch.decisions``: ``decide_wanted``, ``settle_wish``), write the result."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from service.adapters.sql.events import note
from service.adapters.sql.tables import bots, meeting_sources, meetings
from service.core.dispatch.decisions import Settled, Vote, Wish, decide_wanted, settle_wish
from service.core.dispatch.notes import Note, decision_note, settled_notes
from service.core.dispatch.states import DispatchState

CHUNK = 400


async def settle_wishes(
    conn: AsyncConnection,
    meeting_ids: Collection[int],
    *,
    changed: Collection[int],
    now: datetime,
    freeze: timedelta,
) -> int:
    """Recompute ``wanted`` and the dispatch state of each meeting; return rows written."""
    ids = sorted(meeting_ids)
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = (await conn.execute(select(meetings).where(meetings.c.id.in_(chunk)))).mappings()
        votes = await _votes(conn, chunk)
        booked = await _booked(conn, chunk)
        for row in rows.all():
            written += await _settle_one(
                conn,
                row,
                votes.get(row["id"], []),
                booked.get(row["id"]),
                changed=row["id"] in changed,
                now=now,
                freeze=freeze,
            )
    return written


async def _votes(conn: AsyncConnection, ids: list[int]) -> dict[int, list[Vote]]:
    query = (
        select(meeting_sources.c.meeting_id, meeting_sources.c.record, meeting_sources.c.reason)
        .where(meeting_sources.c.meeting_id.in_(ids))
        .order_by(meeting_sources.c.id)
    )
    votes: dict[int, list[Vote]] = {}
    for row in await conn.execute(query):
        votes.setdefault(row.meeting_id, []).append((bool(row.record), row.reason))
    return votes


async def _booked(conn: AsyncConnection, ids: list[int]) -> dict[int, Any]:
    query = select(bots.c.meeting_id, bots.c.join_at, bots.c.meeting_url).where(
        bots.c.meeting_id.in_(ids), bots.c.active, bots.c.mavera_id.is_not(None)
    )
    return {row.meeting_id: row for row in await conn.execute(query)}


async def _settle_one(
    conn: AsyncConnection,
    row: Any,
    votes: list[Vote],
    booked: Any,
    *,
    changed: bool,
    now: datetime,
    freeze: timedelta,
) -> int:
    wanted, reason = decide_wanted(row["override"], votes)
    wish = Wish(
        wanted=wanted,
        join_at=row["join_at"],
        meeting_url=row["meeting_url"],
        changed=changed,
        booked_join_at=booked.join_at if booked is not None else None,
        booked_url=booked.meeting_url if booked is not None else None,
    )
    state = DispatchState(row["dispatch_state"])
    settled = settle_wish(state, wish, now=now, freeze=freeze)
    values: dict[str, Any] = {}
    notes: list[Note] = []
    if (wanted, reason) != (row["wanted"], row["decision_reason"]):
        values.update(wanted=wanted, decision_reason=reason)
        notes.append(decision_note(wanted, reason))
    _write_state(values, notes, state, settled, now)
    for kind, detail in notes:
        await note(conn, row["id"], now, kind, detail)
    if values:
        values["updated_at"] = now
        await conn.execute(update(meetings).where(meetings.c.id == row["id"]).values(values))
    return len(notes) + bool(values)


def _write_state(
    values: dict[str, Any],
    notes: list[Note],
    state: DispatchState,
    settled: Settled,
    now: datetime,
) -> None:
    """Add what ``settled`` changes to the row's new values and to the meeting's notes."""
    if settled.state is not state:
        values["dispatch_state"] = settled.state.value
        if settled.due_now:
            values["dispatch_at"] = now
    notes += settled_notes(state, settled)
