"""SqlDispatchStore: claims under leases, intents committed before sending, fenced outcomes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.sql.booking import holder, record, write_duplicate
from service.adapters.sql.claiming import claimed_batch, intend
from service.adapters.sql.engine import reading
from service.adapters.sql.events import note
from service.adapters.sql.fencing import bot_error, settle, state_in, touch
from service.adapters.sql.tables import bot_status_changes, bots, meetings
from service.core.dispatch import writes
from service.core.dispatch.claims import Claim, ClaimBatch, Created, Duplicate, Intent, Recorded
from service.core.dispatch.states import (
    CLAIMABLE,
    HELD,
    RETURNS,
    DispatchEvent,
    sources,
    target,
    transition,
)

E = DispatchEvent


class SqlDispatchStore:
    """The dispatch side of the store; every outcome write is fenced by the claim token."""

    def __init__(self, engine: AsyncEngine, *, worker_id: str) -> None:
        self._engine = engine
        self.worker_id = worker_id

    async def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> ClaimBatch:
        """Rows another worker is claiming meanwhile are skipped (``SKIP LOCKED``)."""
        token = str(uuid.uuid4())
        async with self._engine.begin() as conn:
            due = (
                select(meetings.c.id, meetings.c.dispatch_state)
                .where(state_in(CLAIMABLE), meetings.c.dispatch_at <= now)
                .order_by(meetings.c.deadline, meetings.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            prior = {row.id: row.dispatch_state for row in await conn.execute(due)}
            if not prior:
                return ClaimBatch()
            fields = writes.claimed_fields(token, self.worker_id, lease_until=now + lease, now=now)
            await conn.execute(
                update(meetings)
                .where(meetings.c.id.in_(prior), state_in(CLAIMABLE))
                .values(dispatch_state=target(E.CLAIMED, CLAIMABLE).value, **fields)
            )
            return await claimed_batch(conn, prior, token, now)

    async def intend(self, claims: Sequence[Claim], *, now: datetime) -> ClaimBatch:
        async with self._engine.begin() as conn:
            return await intend(conn, claims, now, event=E.RECONCILED)

    async def record_created(self, intent: Intent, created: Created, *, now: datetime) -> Recorded:
        """One transaction; if a concurrent one wrote the same Mavera id first (the unique
        index refuses this one), once more, to read what that one decided."""
        try:
            return await self._record(intent, created, now)
        except IntegrityError:
            return await self._record(intent, created, now)

    async def _record(self, intent: Intent, created: Created, now: datetime) -> Recorded:
        async with self._engine.begin() as conn:
            return await record(conn, intent, created, now)

    async def disown(self, duplicate: Duplicate, *, now: datetime) -> bool:
        """Checked first, and refused by the unique index on Mavera ids (``IntegrityError``)."""
        try:
            async with self._engine.begin() as conn:
                if await holder(conn, duplicate.bot.mavera_id) is not None:
                    return False
                await write_duplicate(conn, duplicate, now)
        except IntegrityError:
            return False
        return True

    async def release_not_sent(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        async with self._engine.begin() as conn:
            claim = intent.claim
            if await settle(
                conn, claim, now, event=E.RELEASED, dispatch_at=retry_at, error=message
            ):
                fields = writes.error_fields(code, message, now=now)
                await bot_error(conn, intent.bot_id, fields, attempts_delta=-1)
                await note(conn, claim.meeting_id, now, "not_sent", message)

    async def record_rejected(
        self, intent: Intent, *, now: datetime, code: str, message: str
    ) -> None:
        async with self._engine.begin() as conn:
            if await settle(conn, intent.claim, now, event=E.REJECTED, error=message):
                fields = writes.error_fields(code, message, now=now, close=True)
                await bot_error(conn, intent.bot_id, fields)
                await note(conn, intent.claim.meeting_id, now, "rejected", f"{code}: {message}")

    async def record_ambiguous(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        async with self._engine.begin() as conn:
            claim = intent.claim
            if await settle(
                conn, claim, now, event=E.AMBIGUOUS, dispatch_at=retry_at, error=message
            ):
                await bot_error(conn, intent.bot_id, writes.error_fields(code, message, now=now))
                await note(conn, claim.meeting_id, now, "ambiguous", message)

    async def release(
        self, claim: Claim, *, now: datetime, retry_at: datetime | None = None
    ) -> None:
        async with self._engine.begin() as conn:
            await settle(conn, claim, now, event=RETURNS[claim.prior], dispatch_at=retry_at)

    async def keep_booked(self, claim: Claim, *, now: datetime, reason: str) -> None:
        async with self._engine.begin() as conn:
            if await settle(conn, claim, now, event=E.FROZEN):
                await note(conn, claim.meeting_id, now, "frozen", reason)

    async def record_cancelled(
        self, claim: Claim, *, now: datetime, status: str = "cancelled"
    ) -> ClaimBatch:
        old = claim.booked_bot
        assert old is not None
        async with self._engine.begin() as conn:
            if not await touch(conn, claim, now, event=E.CANCELLED):
                return ClaimBatch()
            await conn.execute(
                update(bots).where(bots.c.id == old.id).values(writes.closed_fields(status, now))
            )
            await conn.execute(
                insert(bot_status_changes).values(bot_id=old.id, status=status, observed_at=now)
            )
            await note(conn, claim.meeting_id, now, "cancelled", f"bot {old.mavera_id}")
            return await intend(conn, [replace(claim, booked_bot=None)], now)

    async def expire_leases(self, *, now: datetime, all_claims: bool = False) -> int:
        """One UPDATE over every expired claim: the state each one takes is one SQL
        expression (``_after_expiry``)."""
        where = [state_in(sources(E.EXPIRED))]
        if not all_claims:
            where.append(meetings.c.lease_until < now)
        async with self._engine.begin() as conn:
            fields = writes.released_fields(now=now, error=writes.EXPIRED_ERROR, dispatch_at=now)
            result = await conn.execute(
                update(meetings).where(*where).values(dispatch_state=_after_expiry(), **fields)
            )
        return int(result.rowcount)

    async def known_mavera_ids(self, mavera_ids: Sequence[str]) -> set[str]:
        async with reading(self._engine) as conn:
            query = select(bots.c.mavera_id).where(bots.c.mavera_id.in_(list(mavera_ids)))
            return {row for row in (await conn.scalars(query)) if row is not None}

    async def upcoming(
        self, *, now: datetime, until: datetime, limit: int
    ) -> list[tuple[int, datetime]]:
        query = (
            select(meetings.c.id, meetings.c.dispatch_at)
            .where(
                state_in(CLAIMABLE),
                meetings.c.dispatch_at > now,
                meetings.c.dispatch_at <= until,
            )
            .order_by(meetings.c.dispatch_at)
            .limit(limit)
        )
        async with reading(self._engine) as conn:
            return [(row.id, row.dispatch_at) for row in await conn.execute(query)]


def _after_expiry() -> ColumnElement[str]:
    """The state a held meeting takes when its lease runs out, as one SQL expression.

    A booking that holds a bot is created if the bot fits the meeting, else moved (its
    cancel is harmless to repeat): ``decisions.booked_event`` over many rows. Any other
    claim may have sent a create: it expired, to reconcile. The states are the table's.
    """
    booked = (bots.c.meeting_id == meetings.c.id) & bots.c.active & bots.c.mavera_id.is_not(None)
    has_bot = select(bots.c.id).where(booked).exists()
    fitting = (
        select(bots.c.id)
        .where(
            booked,
            bots.c.join_at == meetings.c.join_at,
            bots.c.meeting_url == meetings.c.meeting_url,
        )
        .exists()
    )
    return case(
        (fitting & meetings.c.wanted, transition(HELD, E.CREATED).value),
        (has_bot, transition(HELD, E.MOVED).value),
        else_=transition(HELD, E.EXPIRED).value,
    )
