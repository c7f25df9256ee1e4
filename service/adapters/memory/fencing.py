"""Fenced writes in memory: every change to a claimed meeting checks that the claim is still
its worker's, and every dispatch state written is the one the core's table gives."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from service.adapters.memory.rows import BotRow, MeetingRow
from service.adapters.memory.state import MemoryState
from service.core.dispatch import writes
from service.core.dispatch.claims import Claim, Intent, intent_for
from service.core.dispatch.states import HELD, DispatchEvent, transition
from service.core.errors import InvalidTransition


def held(state: MemoryState, claim: Claim) -> MeetingRow | None:
    """The claim's meeting, if the claim still holds it."""
    row = state.meetings.get(claim.meeting_id)
    if row is None or row.claim_token != claim.token or row.dispatch_state is not HELD:
        return None
    return row


def touch(
    state: MemoryState, claim: Claim, now: datetime, *, event: DispatchEvent | None = None
) -> bool:
    """True if the claim is still ours. ``event``, if given, is what the claim goes on after:
    raises ``InvalidTransition`` (before any write) unless the table keeps the meeting held."""
    if event is not None and transition(HELD, event) is not HELD:
        raise InvalidTransition(HELD.value, event.value)
    row = held(state, claim)
    if row is None:
        return False
    state.meetings.put(replace(row, updated_at=now))
    return True


def settle(
    state: MemoryState,
    claim: Claim,
    now: datetime,
    *,
    event: DispatchEvent,
    dispatch_at: datetime | None = None,
    error: str | None = None,
) -> bool:
    """The SQL store's ``fencing.settle`` on a ``MemoryState``."""
    after = transition(HELD, event)
    row = held(state, claim)
    if row is None:
        return False
    fields = writes.released_fields(now=now, error=error, dispatch_at=dispatch_at)
    state.meetings.put(replace(row, dispatch_state=after, **fields))
    return True


def write_intent(state: MemoryState, claim: Claim, now: datetime) -> Intent | None:
    """The booking says what is about to be sent, before it is sent; None if the booking
    already holds a bot (written by a worker whose claim had run out): nothing is to be sent."""
    if claim.booked_bot is not None:
        return None
    pending = claim.pending_bot
    if pending is None:
        return _new_booking(state, claim, now)
    row = state.bots.get(pending.id)
    if row is None or not row.active or row.mavera_id is not None:
        return None
    state.bots.put(
        replace(
            row,
            meeting_url=claim.meeting_url,
            join_at=claim.join_at,
            attempts=row.attempts + 1,
            updated_at=now,
        )
    )
    return intent_for(
        claim, pending.id, attempt=pending.attempts + 1, requested_at=pending.requested_at or now
    )


def _new_booking(state: MemoryState, claim: Claim, now: datetime) -> Intent:
    """A booking for the claim's first create, with its intent."""
    state.references(state.meetings, claim.meeting_id)
    bot = BotRow(id=state.next_id(state.bots), **writes.new_booking_fields(claim, now))
    state.bots.insert(bot)
    return intent_for(claim, bot.id, attempt=1, requested_at=now)


def bot_error(
    state: MemoryState, bot_id: int, fields: writes.Fields, *, attempts_delta: int = 0
) -> None:
    """Write a booking's error (``writes.error_fields``), its attempts moved by the delta."""
    row = state.bots.get(bot_id)
    if row is None:
        return
    state.bots.put(replace(row, attempts=row.attempts + attempts_delta, **fields))
