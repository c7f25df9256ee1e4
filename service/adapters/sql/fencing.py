"""Fenced writes: every change to a claimed meeting checks that the claim is still ours, and
every dispatch state written is the one the core's table gives for the event."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement, insert, update
from sqlalchemy.ext.asyncio import AsyncConnection

from service.adapters.sql.tables import bots, meetings
from service.core.dispatch import writes
from service.core.dispatch.claims import Claim, Intent, intent_for
from service.core.dispatch.states import HELD, DispatchEvent, DispatchState, transition
from service.core.errors import InvalidTransition
from service.core.model import Bot


def state_in(states: Collection[DispatchState]) -> ColumnElement[bool]:
    """The meeting is in one of ``states`` (as a set-based write's guard)."""
    return meetings.c.dispatch_state.in_(sorted(state.value for state in states))


def held(claim: Claim) -> ColumnElement[bool]:
    return (
        (meetings.c.id == claim.meeting_id)
        & (meetings.c.claim_token == claim.token)
        & (meetings.c.dispatch_state == HELD.value)
    )


async def touch(
    conn: AsyncConnection, claim: Claim, now: datetime, *, event: DispatchEvent | None = None
) -> bool:
    """True if the claim is still ours (a fenced no-op write that also takes the row lock).

    ``event``, if given, is what the claim goes on after: raises ``InvalidTransition``
    (before any write) unless the table keeps the meeting held on it.
    """
    if event is not None and transition(HELD, event) is not HELD:
        raise InvalidTransition(HELD.value, event.value)
    result = await conn.execute(update(meetings).where(held(claim)).values(updated_at=now))
    return bool(result.rowcount == 1)


async def settle(
    conn: AsyncConnection,
    claim: Claim,
    now: datetime,
    *,
    event: DispatchEvent,
    dispatch_at: datetime | None = None,
    error: str | None = None,
) -> bool:
    """End the claim on ``event``, in the state the table gives; False (and no write) if the
    claim is no longer held. Raises ``InvalidTransition`` (before any write) if the table
    does not allow ``event`` in a held meeting."""
    values = {
        "dispatch_state": transition(HELD, event).value,
        **writes.released_fields(now=now, error=error, dispatch_at=dispatch_at),
    }
    result = await conn.execute(update(meetings).where(held(claim)).values(values))
    return bool(result.rowcount == 1)


async def write_intent(conn: AsyncConnection, claim: Claim, now: datetime) -> Intent | None:
    """The booking row says what is about to be sent, before it is sent; None if the booking
    already holds a bot (written by a worker whose claim had run out): nothing is to be sent."""
    if claim.booked_bot is not None:
        return None
    if claim.pending_bot is None:
        return await _first_attempt(conn, claim, now)
    return await _next_attempt(conn, claim, claim.pending_bot, now)


async def _first_attempt(conn: AsyncConnection, claim: Claim, now: datetime) -> Intent:
    query = insert(bots).values(writes.new_booking_fields(claim, now)).returning(bots.c.id)
    bot_id = await conn.scalar(query)
    assert bot_id is not None
    return intent_for(claim, int(bot_id), attempt=1, requested_at=now)


async def _next_attempt(
    conn: AsyncConnection, claim: Claim, pending: Bot, now: datetime
) -> Intent | None:
    """The same booking once more, unless a late answer filled it meanwhile."""
    result = await conn.execute(
        update(bots)
        .where(bots.c.id == pending.id, bots.c.active, bots.c.mavera_id.is_(None))
        .values(
            meeting_url=claim.meeting_url,
            join_at=claim.join_at,
            attempts=bots.c.attempts + 1,
            updated_at=now,
        )
    )
    if result.rowcount != 1:
        return None
    requested_at = pending.requested_at or now
    return intent_for(claim, pending.id, attempt=pending.attempts + 1, requested_at=requested_at)


async def bot_error(
    conn: AsyncConnection, bot_id: int, fields: writes.Fields, *, attempts_delta: int = 0
) -> None:
    """Write a booking's error (``writes.error_fields``), its attempts moved by the delta."""
    values = {**fields, "attempts": bots.c.attempts + attempts_delta}
    await conn.execute(update(bots).where(bots.c.id == bot_id).values(values))
