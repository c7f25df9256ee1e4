"""Claiming: turning claimed meeting rows into Claims, and claims into committed intents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from service.adapters.sql.booking import settle_booked
from service.adapters.sql.events import note
from service.adapters.sql.fencing import bot_error, settle, touch, write_intent
from service.adapters.sql.rows import bot_from_row
from service.adapters.sql.tables import bots, meetings
from service.core.dispatch import writes
from service.core.dispatch.claims import Claim, ClaimBatch, Intent, sort_claims
from service.core.dispatch.decisions import Closing, closing
from service.core.dispatch.states import DispatchEvent, DispatchState


async def load_claims(conn: AsyncConnection, prior: dict[int, str], token: str) -> list[Claim]:
    query = select(meetings).where(meetings.c.id.in_(prior)).order_by(meetings.c.deadline)
    rows = (await conn.execute(query)).mappings().all()
    active = select(bots).where(bots.c.meeting_id.in_(prior), bots.c.active)
    pending: dict[int, Any] = {}
    booked: dict[int, Any] = {}
    for row in (await conn.execute(active)).mappings():
        (pending if row["mavera_id"] is None else booked)[row["meeting_id"]] = bot_from_row(row)
    return [
        Claim(
            meeting_id=row["id"],
            token=token,
            title=row["title"],
            meeting_url=row["meeting_url"],
            join_at=row["join_at"],
            end_at=row["end_at"],
            deadline=row["deadline"],
            wanted=row["wanted"],
            prior=DispatchState(prior[row["id"]]),
            pending_bot=pending.get(row["id"]),
            booked_bot=booked.get(row["id"]),
            lease_until=row["lease_until"],
        )
        for row in rows
    ]


async def claimed_batch(
    conn: AsyncConnection, prior: dict[int, str], token: str, now: datetime
) -> ClaimBatch:
    """The meetings just claimed (from the states in ``prior``) as a claim pass's batch: the
    ambiguous ones to reconcile and the stale ones to change as they are, the others with
    their create intents committed."""
    reconcile, changes, ready = sort_claims(await load_claims(conn, prior, token))
    batch = await intend(conn, ready, now)
    return replace(batch, reconcile=tuple(reconcile), changes=tuple(changes))


async def intend(
    conn: AsyncConnection,
    claims: Sequence[Claim],
    now: datetime,
    *,
    event: DispatchEvent | None = None,
) -> ClaimBatch:
    """Commit a create intent for each claim still held (going on after ``event``, if
    given); skip or give up those that cannot go (see ``decisions.closing``)."""
    intents: list[Intent] = []
    given_up: list[int] = []
    for claim in claims:
        ending = closing(claim, now=now)
        if ending is not None:
            if await _close(conn, claim, now, ending) and ending.given_up:
                given_up.append(claim.meeting_id)
        elif await touch(conn, claim, now, event=event):
            intent = await write_intent(conn, claim, now)
            if intent is not None:
                intents.append(intent)
            else:
                await _already_booked(conn, claim, now)
    return ClaimBatch(intents=tuple(intents), given_up=tuple(given_up))


async def _already_booked(conn: AsyncConnection, claim: Claim, now: datetime) -> None:
    """The booking got its bot from a worker whose claim had run out: keep that bot."""
    assert claim.booking is not None
    await settle_booked(conn, claim, claim.booking.id, now, claimed=True)


async def _close(conn: AsyncConnection, claim: Claim, now: datetime, ending: Closing) -> bool:
    if not await settle(conn, claim, now, event=ending.event, error=ending.error):
        return False
    if claim.pending_bot is not None:
        fields = writes.error_fields(ending.code, ending.message, now=now, close=True)
        await bot_error(conn, claim.pending_bot.id, fields)
    await note(conn, claim.meeting_id, now, ending.state.value, ending.message)
    return True
