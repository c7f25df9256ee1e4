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
from service.adapters.sql.claiming import intend, load_claims
from service.adapters.sql.engine import reading
from service.adapters.sql.events import note
from service.adapters.sql.fencing import bot_error, settle, state_in, touch
from service.adapters.sql.tables import bot_status_changes, bots, meetings
from service.core.dispatch.claims import Claim, ClaimBatch, Intent, Recorded, sort_claims
from service.core.dispatch.states import (
    CLAIMABLE,
    HELD,
    RETURNS,
    DispatchEvent,
    sources,
    target,
    transition,
)
from service.core.model import RemoteBot

E = DispatchEvent


class SqlDispatchStore:
    """The dispatch side of the store; every outcome write is fenced by the claim token."""

    def __init__(self, engine: AsyncEngine, *, worker_id: str) -> None:
        self._engine = engine
        self.worker_id = worker_id

    async def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> ClaimBatch:
        """Claim up to ``limit`` due meetings, earliest deadline first; only one worker wins.

        In the same transaction, a create intent is committed for every claim that can be
        sent at once. An ambiguous meeting comes back in ``reconcile``: it must be matched
        against Mavera's list before anything is sent again. A stale one comes back in
        ``changes``: its booked bot must be cancelled first.
        """
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
            await conn.execute(
                update(meetings)
                .where(meetings.c.id.in_(prior), state_in(CLAIMABLE))
                .values(
                    dispatch_state=target(E.CLAIMED, CLAIMABLE).value,
                    claim_token=token,
                    claimed_by=self.worker_id,
                    lease_until=now + lease,
                    updated_at=now,
                )
            )
            reconcile, changes, ready = sort_claims(await load_claims(conn, prior, token))
            batch = await intend(conn, ready, now)
        return replace(batch, reconcile=tuple(reconcile), changes=tuple(changes))

    async def intend(self, claims: Sequence[Claim], *, now: datetime) -> ClaimBatch:
        """Commit create intents for claims still held (after reconciliation found nothing)."""
        async with self._engine.begin() as conn:
            return await intend(conn, claims, now, event=E.RECONCILED)

    async def record_created(
        self,
        intent: Intent,
        remote: RemoteBot,
        *,
        now: datetime,
        next_check_at: datetime | None,
        track_until: datetime,
        how: str = "booked",
    ) -> Recorded:
        """Store the bot a create (or a reconciliation: ``how="adopted"``) produced, whether
        or not the claim still holds: the first bot written to a booking is the meeting's.

        ``Recorded.DUPLICATE``: the booking holds another bot; ``remote`` is recorded as a
        duplicate and the caller must cancel it. ``Recorded.DISOWNED``: someone recorded
        ``remote`` as a duplicate first; the meeting will be reconciled again.
        """
        try:
            return await self._record(intent, remote, now, how, next_check_at, track_until)
        except IntegrityError:
            # A concurrent transaction wrote this Mavera id first: read what it decided.
            return await self._record(intent, remote, now, how, next_check_at, track_until)

    async def _record(
        self,
        intent: Intent,
        remote: RemoteBot,
        now: datetime,
        how: str,
        next_check_at: datetime | None,
        track_until: datetime,
    ) -> Recorded:
        async with self._engine.begin() as conn:
            return await record(
                conn,
                intent,
                remote,
                now,
                how=how,
                next_check_at=next_check_at,
                track_until=track_until,
            )

    async def disown(
        self,
        meeting_id: int,
        remote: RemoteBot,
        *,
        meeting_url: str,
        join_at: datetime,
        now: datetime,
    ) -> bool:
        """Record ``remote`` as a duplicate before it is cancelled; False if a booking holds
        it (it must then be left alone)."""
        try:
            async with self._engine.begin() as conn:
                if await holder(conn, remote.mavera_id) is not None:
                    return False
                await write_duplicate(
                    conn, meeting_id, remote, now, meeting_url=meeting_url, join_at=join_at
                )
        except IntegrityError:
            return False
        return True

    async def release_not_sent(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        """Nothing reached Mavera: the attempt is not counted and the meeting waits again."""
        async with self._engine.begin() as conn:
            if await settle(
                conn, intent.claim, now, event=E.RELEASED, dispatch_at=retry_at, error=message
            ):
                await bot_error(conn, intent.bot_id, now, code, message, attempts_delta=-1)
                await note(conn, intent.claim.meeting_id, now, "not_sent", message)

    async def record_rejected(
        self, intent: Intent, *, now: datetime, code: str, message: str
    ) -> None:
        """Mavera refused the create for good: no bot exists, the booking is closed."""
        async with self._engine.begin() as conn:
            if await settle(conn, intent.claim, now, event=E.REJECTED, error=message):
                await bot_error(conn, intent.bot_id, now, code, message, active=False)
                await note(conn, intent.claim.meeting_id, now, "rejected", f"{code}: {message}")

    async def record_ambiguous(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        """The create may have made a bot: reconcile at ``retry_at`` before sending again."""
        async with self._engine.begin() as conn:
            if await settle(
                conn, intent.claim, now, event=E.AMBIGUOUS, dispatch_at=retry_at, error=message
            ):
                await bot_error(conn, intent.bot_id, now, code, message)
                await note(conn, intent.claim.meeting_id, now, "ambiguous", message)

    async def release(
        self, claim: Claim, *, now: datetime, retry_at: datetime | None = None
    ) -> None:
        """Hand a claim back in the state it was claimed from (shutdown, failed listing,
        failed cancel), to be taken again at ``retry_at`` if given."""
        async with self._engine.begin() as conn:
            await settle(conn, claim, now, event=RETURNS[claim.prior], dispatch_at=retry_at)

    async def keep_booked(self, claim: Claim, *, now: datetime, reason: str) -> None:
        """Leave a stale meeting's bot as it is (the freeze window has begun)."""
        async with self._engine.begin() as conn:
            if await settle(conn, claim, now, event=E.FROZEN):
                await note(conn, claim.meeting_id, now, "frozen", reason)

    async def record_cancelled(
        self, claim: Claim, *, now: datetime, status: str = "cancelled"
    ) -> ClaimBatch:
        """The stale bot is gone at Mavera: close its booking, then book again if still
        wanted (the new intent is committed here, before the create is sent)."""
        old = claim.booked_bot
        assert old is not None
        async with self._engine.begin() as conn:
            if not await touch(conn, claim, now, event=E.CANCELLED):
                return ClaimBatch()
            await conn.execute(
                update(bots)
                .where(bots.c.id == old.id)
                .values(active=False, status=status, next_check_at=None, updated_at=now)
            )
            await conn.execute(
                insert(bot_status_changes).values(bot_id=old.id, status=status, observed_at=now)
            )
            await note(conn, claim.meeting_id, now, "cancelled", f"bot {old.mavera_id}")
            return await intend(conn, [replace(claim, booked_bot=None)], now)

    async def expire_leases(self, *, now: datetime, all_claims: bool = False) -> int:
        """Claims whose worker stopped answering become ambiguous: whoever takes them next
        reconciles first. ``all_claims`` is for a sole daemon starting up (SQLite)."""
        where = [state_in(sources(E.EXPIRED))]
        if not all_claims:
            where.append(meetings.c.lease_until < now)
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(meetings)
                .where(*where)
                .values(
                    dispatch_state=_after_expiry(),
                    dispatch_at=now,
                    claim_token=None,
                    claimed_by=None,
                    lease_until=None,
                    last_error="claim lease expired: the worker stopped",
                    updated_at=now,
                )
            )
        return int(result.rowcount)

    async def known_mavera_ids(self, mavera_ids: Sequence[str]) -> set[str]:
        async with reading(self._engine) as conn:
            query = select(bots.c.mavera_id).where(bots.c.mavera_id.in_(list(mavera_ids)))
            return {row for row in (await conn.scalars(query)) if row is not None}

    async def upcoming(
        self, *, now: datetime, until: datetime, limit: int
    ) -> list[tuple[int, datetime]]:
        """(meeting id, dispatch time) of claimable meetings due in ``(now, until]``."""
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
