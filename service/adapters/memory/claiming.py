"""Claiming in memory: claimed meetings become Claims, and claims committed intents."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from service.adapters.memory.booking import settle_booked
from service.adapters.memory.fencing import bot_error, settle, touch, write_intent
from service.adapters.memory.rows import bot_of
from service.adapters.memory.state import MemoryState
from service.core.dispatch import writes
from service.core.dispatch.claims import Claim, ClaimBatch, Intent, sort_claims
from service.core.dispatch.decisions import Closing, closing
from service.core.dispatch.states import DispatchEvent, DispatchState
from service.core.model import Bot


def load_claims(state: MemoryState, prior: Mapping[int, DispatchState], token: str) -> list[Claim]:
    """The claimed meetings as claims, by deadline, each with its active booking."""
    rows = sorted(
        (row for row in map(state.meetings.get, prior) if row is not None),
        key=lambda row: (row.deadline, row.id),
    )
    claims: list[Claim] = []
    for row in rows:
        pending, booked = _active(state, row.id)
        claims.append(
            Claim(
                meeting_id=row.id,
                token=token,
                title=row.title,
                meeting_url=row.meeting_url,
                join_at=row.join_at,
                end_at=row.end_at,
                deadline=row.deadline,
                wanted=row.wanted,
                prior=prior[row.id],
                pending_bot=pending,
                booked_bot=booked,
                lease_until=row.lease_until,
            )
        )
    return claims


def _active(state: MemoryState, meeting_id: int) -> tuple[Bot | None, Bot | None]:
    """(the active booking with no bot yet, the active booking with its bot)."""
    active = state.bots.find("active_meeting", meeting_id)
    if active is None:
        return None, None
    bot = bot_of(active)
    return (bot, None) if bot.mavera_id is None else (None, bot)


def claimed_batch(
    state: MemoryState, prior: Mapping[int, DispatchState], token: str, now: datetime
) -> ClaimBatch:
    """The SQL store's ``claiming.claimed_batch`` on a ``MemoryState``."""
    reconcile, changes, ready = sort_claims(load_claims(state, prior, token))
    batch = intend(state, ready, now)
    return replace(batch, reconcile=tuple(reconcile), changes=tuple(changes))


def intend(
    state: MemoryState,
    claims: Sequence[Claim],
    now: datetime,
    *,
    event: DispatchEvent | None = None,
) -> ClaimBatch:
    """The SQL store's ``claiming.intend``, step for step, on a ``MemoryState``."""
    intents: list[Intent] = []
    given_up: list[int] = []
    for claim in claims:
        ending = closing(claim, now=now)
        if ending is not None:
            if _close(state, claim, now, ending) and ending.given_up:
                given_up.append(claim.meeting_id)
        elif touch(state, claim, now, event=event):
            intent = write_intent(state, claim, now)
            if intent is not None:
                intents.append(intent)
            else:
                # The booking got its bot from a worker whose claim had run out: keep it.
                assert claim.booking is not None
                settle_booked(state, claim, claim.booking.id, now, claimed=True)
    return ClaimBatch(intents=tuple(intents), given_up=tuple(given_up))


def _close(state: MemoryState, claim: Claim, now: datetime, ending: Closing) -> bool:
    if not settle(state, claim, now, event=ending.event, error=ending.error):
        return False
    if claim.pending_bot is not None:
        fields = writes.error_fields(ending.code, ending.message, now=now, close=True)
        bot_error(state, claim.pending_bot.id, fields)
    state.note(claim.meeting_id, now, ending.state.value, ending.message)
    return True
