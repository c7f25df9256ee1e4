"""SqlDispatchStore: claims under leases, intents committed before sending, fenced outcomes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.model import Claim, ClaimBatch, DispatchState, Intent, RemoteBot
from service.planning import Verdict, dispatch_verdict
from service.store.engine import reading
from service.store.fencing import bot_error, settle, touch, write_intent
from service.store.rows import bot_from_row
from service.store.tables import bot_status_changes, bots, meetings

W, C, A = DispatchState.WAITING, DispatchState.CLAIMED, DispatchState.AMBIGUOUS
_CLAIMABLE = (W.value, A.value)
TOO_LATE = "the meeting ended before a bot could be booked"


class SqlDispatchStore:
    """The dispatch side of the store; every outcome write is fenced by the claim token."""

    def __init__(self, engine: AsyncEngine, *, worker_id: str) -> None:
        self._engine = engine
        self.worker_id = worker_id

    async def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> ClaimBatch:
        """Claim up to ``limit`` due meetings, earliest deadline first; only one worker wins.

        In the same transaction, a create intent is committed for every claim that can be
        sent at once. An ambiguous meeting comes back in ``reconcile``: it must be matched
        against Mavera's list before anything is sent again.
        """
        token = str(uuid.uuid4())
        async with self._engine.begin() as conn:
            due = (
                select(meetings.c.id, meetings.c.dispatch_state)
                .where(meetings.c.dispatch_state.in_(_CLAIMABLE), meetings.c.dispatch_at <= now)
                .order_by(meetings.c.deadline, meetings.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
            prior = {row.id: row.dispatch_state for row in await conn.execute(due)}
            if not prior:
                return ClaimBatch()
            await conn.execute(
                update(meetings)
                .where(meetings.c.id.in_(prior), meetings.c.dispatch_state.in_(_CLAIMABLE))
                .values(
                    dispatch_state=C.value,
                    claim_token=token,
                    claimed_by=self.worker_id,
                    lease_until=now + lease,
                    updated_at=now,
                )
            )
            claims = await _claims(conn, prior, token)
            reconcile = tuple(c for c in claims if c.reconcile and c.pending_bot is not None)
            ready = [c for c in claims if not (c.reconcile and c.pending_bot is not None)]
            batch = await _intend(conn, ready, now)
        return ClaimBatch(intents=batch.intents, reconcile=reconcile, given_up=batch.given_up)

    async def intend(self, claims: Sequence[Claim], *, now: datetime) -> ClaimBatch:
        """Commit create intents for claims still held (after reconciliation found nothing)."""
        async with self._engine.begin() as conn:
            return await _intend(conn, claims, now)

    async def record_created(
        self,
        intent: Intent,
        remote: RemoteBot,
        *,
        now: datetime,
        next_check_at: datetime | None,
        track_until: datetime,
    ) -> bool:
        """Store the bot a create (or a reconciliation) produced.

        Returns False when the claim was lost and the booking holds another bot (or none):
        the caller must then cancel ``remote``, which would otherwise be a second bot.
        """
        async with self._engine.begin() as conn:
            if not await settle(conn, intent.claim, now, state=DispatchState.BOOKED):
                held = await conn.scalar(select(bots.c.mavera_id).where(bots.c.id == intent.bot_id))
                return bool(held == remote.mavera_id)
            await conn.execute(
                update(bots)
                .where(bots.c.id == intent.bot_id)
                .values(
                    mavera_id=remote.mavera_id,
                    status=remote.status,
                    status_changed_at=now,
                    next_check_at=next_check_at,
                    track_until=track_until,
                    last_error_code=None,
                    last_error_message=None,
                    updated_at=now,
                )
            )
            await conn.execute(
                insert(bot_status_changes).values(
                    bot_id=intent.bot_id, status=remote.status, observed_at=now
                )
            )
        return True

    async def release_not_sent(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        """Nothing reached Mavera: the attempt is not counted and the meeting waits again."""
        async with self._engine.begin() as conn:
            if await settle(conn, intent.claim, now, state=W, dispatch_at=retry_at, error=message):
                await bot_error(conn, intent.bot_id, now, code, message, attempts_delta=-1)

    async def record_rejected(
        self, intent: Intent, *, now: datetime, code: str, message: str
    ) -> None:
        """Mavera refused the create for good: no bot exists, the booking is closed."""
        async with self._engine.begin() as conn:
            failed = DispatchState.FAILED
            if await settle(conn, intent.claim, now, state=failed, error=message):
                await bot_error(conn, intent.bot_id, now, code, message, active=False)

    async def record_ambiguous(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        """The create may have made a bot: reconcile at ``retry_at`` before sending again."""
        async with self._engine.begin() as conn:
            if await settle(conn, intent.claim, now, state=A, dispatch_at=retry_at, error=message):
                await bot_error(conn, intent.bot_id, now, code, message)

    async def release(self, claim: Claim, *, now: datetime) -> None:
        """Hand a claim back in the state it was claimed from (shutdown, failed listing)."""
        async with self._engine.begin() as conn:
            await settle(conn, claim, now, state=A if claim.reconcile else W)

    async def expire_leases(self, *, now: datetime, all_claims: bool = False) -> int:
        """Claims whose worker stopped answering become ambiguous: whoever takes them next
        reconciles first. ``all_claims`` is for a sole daemon starting up (SQLite)."""
        where = [meetings.c.dispatch_state == C.value]
        if not all_claims:
            where.append(meetings.c.lease_until < now)
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(meetings)
                .where(*where)
                .values(
                    dispatch_state=A.value,
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
                meetings.c.dispatch_state.in_(_CLAIMABLE),
                meetings.c.dispatch_at > now,
                meetings.c.dispatch_at <= until,
            )
            .order_by(meetings.c.dispatch_at)
            .limit(limit)
        )
        async with reading(self._engine) as conn:
            return [(row.id, row.dispatch_at) for row in await conn.execute(query)]


async def _claims(conn: AsyncConnection, prior: dict[int, str], token: str) -> list[Claim]:
    query = select(meetings).where(meetings.c.id.in_(prior)).order_by(meetings.c.deadline)
    rows = (await conn.execute(query)).mappings().all()
    pending_query = select(bots).where(
        bots.c.meeting_id.in_(prior), bots.c.active, bots.c.mavera_id.is_(None)
    )
    pending = {
        row["meeting_id"]: bot_from_row(row)
        for row in (await conn.execute(pending_query)).mappings()
    }
    return [_claim(row, token, prior, pending) for row in rows]


def _claim(row: Any, token: str, prior: dict[int, str], pending: dict[int, Any]) -> Claim:
    return Claim(
        meeting_id=row["id"],
        token=token,
        title=row["title"],
        meeting_url=row["meeting_url"],
        join_at=row["join_at"],
        end_at=row["end_at"],
        deadline=row["deadline"],
        reconcile=prior[row["id"]] == A.value,
        pending_bot=pending.get(row["id"]),
    )


async def _intend(conn: AsyncConnection, claims: Sequence[Claim], now: datetime) -> ClaimBatch:
    intents: list[Intent] = []
    given_up: list[int] = []
    for claim in claims:
        verdict = dispatch_verdict(join_at=claim.join_at, end_at=claim.end_at, now=now)
        if verdict is Verdict.TOO_LATE:
            if await settle(conn, claim, now, state=DispatchState.FAILED, error=TOO_LATE):
                given_up.append(claim.meeting_id)
                if claim.pending_bot is not None:
                    await bot_error(
                        conn, claim.pending_bot.id, now, "too_late", TOO_LATE, active=False
                    )
        elif await touch(conn, claim, now):
            intents.append(await write_intent(conn, claim, now))
    return ClaimBatch(intents=tuple(intents), given_up=tuple(given_up))
