"""MemoryDispatchStore: claims under leases, intents committed before sending, fenced
outcomes; the ``DispatchStore`` port on a ``MemoryState``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from service.adapters.memory.booking import fit_event, holder, record, write_duplicate
from service.adapters.memory.claiming import claimed_batch, intend
from service.adapters.memory.fencing import bot_error, settle, touch
from service.adapters.memory.rows import MeetingRow
from service.adapters.memory.state import MemoryState
from service.adapters.memory.tables import Conflict
from service.core.dispatch import writes
from service.core.dispatch.claims import Claim, ClaimBatch, Created, Duplicate, Intent, Recorded
from service.core.dispatch.states import (
    CLAIMABLE,
    HELD,
    RETURNS,
    DispatchEvent,
    DispatchState,
    sources,
    target,
    transition,
)

E = DispatchEvent


class MemoryDispatchStore:
    """The dispatch side of the memory store; every outcome write is fenced by the claim."""

    def __init__(self, state: MemoryState, *, worker_id: str) -> None:
        self._state = state
        self.worker_id = worker_id

    async def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> ClaimBatch:
        token = str(uuid.uuid4())
        with self._state.transaction() as state:
            due = _due(state, now)[:limit]
            if not due:
                return ClaimBatch()
            claimed = target(E.CLAIMED, CLAIMABLE)
            fields = writes.claimed_fields(token, self.worker_id, lease_until=now + lease, now=now)
            for row in due:
                state.meetings.put(replace(row, dispatch_state=claimed, **fields))
            prior = {row.id: row.dispatch_state for row in due}
            return claimed_batch(state, prior, token, now)

    async def intend(self, claims: Sequence[Claim], *, now: datetime) -> ClaimBatch:
        with self._state.transaction() as state:
            return intend(state, claims, now, event=E.RECONCILED)

    async def record_created(self, intent: Intent, created: Created, *, now: datetime) -> Recorded:
        with self._state.transaction() as state:
            return record(state, intent, created, now)

    async def disown(self, duplicate: Duplicate, *, now: datetime) -> bool:
        """Checked first, and refused by the table's unique Mavera ids (``Conflict``)."""
        try:
            with self._state.transaction() as state:
                if holder(state, duplicate.bot.mavera_id) is not None:
                    return False
                write_duplicate(state, duplicate, now)
        except Conflict:
            return False
        return True

    async def release_not_sent(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        with self._state.transaction() as state:
            claim = intent.claim
            if settle(state, claim, now, event=E.RELEASED, dispatch_at=retry_at, error=message):
                fields = writes.error_fields(code, message, now=now)
                bot_error(state, intent.bot_id, fields, attempts_delta=-1)
                state.note(claim.meeting_id, now, "not_sent", message)

    async def record_rejected(
        self, intent: Intent, *, now: datetime, code: str, message: str
    ) -> None:
        with self._state.transaction() as state:
            if settle(state, intent.claim, now, event=E.REJECTED, error=message):
                bot_error(
                    state, intent.bot_id, writes.error_fields(code, message, now=now, close=True)
                )
                state.note(intent.claim.meeting_id, now, "rejected", f"{code}: {message}")

    async def record_ambiguous(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        with self._state.transaction() as state:
            claim = intent.claim
            if settle(state, claim, now, event=E.AMBIGUOUS, dispatch_at=retry_at, error=message):
                bot_error(state, intent.bot_id, writes.error_fields(code, message, now=now))
                state.note(claim.meeting_id, now, "ambiguous", message)

    async def release(
        self, claim: Claim, *, now: datetime, retry_at: datetime | None = None
    ) -> None:
        with self._state.transaction() as state:
            settle(state, claim, now, event=RETURNS[claim.prior], dispatch_at=retry_at)

    async def keep_booked(self, claim: Claim, *, now: datetime, reason: str) -> None:
        with self._state.transaction() as state:
            if settle(state, claim, now, event=E.FROZEN):
                state.note(claim.meeting_id, now, "frozen", reason)

    async def record_cancelled(
        self, claim: Claim, *, now: datetime, status: str = "cancelled"
    ) -> ClaimBatch:
        old = claim.booked_bot
        assert old is not None
        with self._state.transaction() as state:
            if not touch(state, claim, now, event=E.CANCELLED):
                return ClaimBatch()
            row = state.bots.get(old.id)
            assert row is not None
            state.bots.put(replace(row, **writes.closed_fields(status, now)))
            state.add_change(old.id, status, now)
            state.note(claim.meeting_id, now, "cancelled", f"bot {old.mavera_id}")
            return intend(state, [replace(claim, booked_bot=None)], now)

    async def expire_leases(self, *, now: datetime, all_claims: bool = False) -> int:
        expiring = sources(E.EXPIRED)
        with self._state.transaction() as state:
            rows = [
                row
                for row in state.meetings
                if row.dispatch_state in expiring
                and (all_claims or (row.lease_until is not None and row.lease_until < now))
            ]
            fields = writes.released_fields(now=now, error=writes.EXPIRED_ERROR, dispatch_at=now)
            for row in rows:
                state.meetings.put(replace(row, dispatch_state=_after_expiry(state, row), **fields))
        return len(rows)

    async def known_mavera_ids(self, mavera_ids: Sequence[str]) -> set[str]:
        return {mavera_id for mavera_id in mavera_ids if holder(self._state, mavera_id)}

    async def upcoming(
        self, *, now: datetime, until: datetime, limit: int
    ) -> list[tuple[int, datetime]]:
        rows = [
            row
            for row in self._state.meetings
            if row.dispatch_state in CLAIMABLE and now < row.dispatch_at <= until
        ]
        rows.sort(key=lambda row: (row.dispatch_at, row.id))
        return [(row.id, row.dispatch_at) for row in rows[:limit]]


def _due(state: MemoryState, now: datetime) -> list[MeetingRow]:
    """Claimable meetings whose dispatch time has come, earliest deadline first."""
    due = [r for r in state.meetings if r.dispatch_state in CLAIMABLE and r.dispatch_at <= now]
    return sorted(due, key=lambda row: (row.deadline, row.id))


def _after_expiry(state: MemoryState, row: MeetingRow) -> DispatchState:
    """A booking that holds a bot: created if the bot fits the meeting, else moved (its
    cancel is harmless to repeat); any other claim may have sent a create: expired."""
    bot = state.bots.find("active_meeting", row.id)
    if bot is None or bot.mavera_id is None:
        return transition(HELD, E.EXPIRED)
    return transition(HELD, fit_event(row, bot))
