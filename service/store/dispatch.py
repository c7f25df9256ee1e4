"""SqlDispatchStore: claims under leases, committed intents, and fenced outcomes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.model import Claim, DispatchState, Intent, RemoteBot
from service.store.rows import bot_from_row
from service.store.tables import bot_status_changes, bots, meetings

W, C, A = DispatchState.WAITING, DispatchState.CLAIMED, DispatchState.AMBIGUOUS
_CLAIMABLE = (W.value, A.value)


class SqlDispatchStore:
    """The dispatch side of the store; every outcome write is fenced by the claim token."""

    def __init__(self, engine: AsyncEngine, *, worker_id: str) -> None:
        self._engine = engine
        self.worker_id = worker_id

    async def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> list[Claim]:
        """Claim up to ``limit`` due meetings, earliest deadline first; only one worker wins.

        Waiting and ambiguous meetings are both claimable; an ambiguous one comes back with
        ``reconcile=True`` and must be matched against Mavera before any new create.
        """
        token = f"{uuid.uuid4()}"
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
                return []
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
            return await _claims(conn, prior, token)

    async def record_intent(self, claims: Sequence[Claim], *, now: datetime) -> list[Intent]:
        """Commit, before anything is sent, one create intent per claim still held."""
        intents: list[Intent] = []
        async with self._engine.begin() as conn:
            for claim in claims:
                if not await _touch(conn, claim, now):
                    continue
                intents.append(await _write_intent(conn, claim, now))
        return intents

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
            if not await _settle(conn, intent.claim, now, state=DispatchState.BOOKED):
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
            if await _settle(conn, intent.claim, now, state=W, dispatch_at=retry_at, error=message):
                await _bot_error(conn, intent.bot_id, now, code, message, attempts_delta=-1)

    async def record_rejected(
        self, intent: Intent, *, now: datetime, code: str, message: str
    ) -> None:
        """Mavera refused the create for good: no bot exists, the booking is closed."""
        async with self._engine.begin() as conn:
            failed = DispatchState.FAILED
            if await _settle(conn, intent.claim, now, state=failed, error=message):
                await _bot_error(conn, intent.bot_id, now, code, message, active=False)

    async def record_ambiguous(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        """The create may have made a bot: reconcile at ``retry_at`` before sending again."""
        async with self._engine.begin() as conn:
            if await _settle(conn, intent.claim, now, state=A, dispatch_at=retry_at, error=message):
                await _bot_error(conn, intent.bot_id, now, code, message)

    async def record_missing(self, claim: Claim, *, now: datetime) -> None:
        """Reconciliation found no bot for the pending booking: nothing exists at Mavera."""
        async with self._engine.begin() as conn:
            if claim.pending_bot is not None and await _touch(conn, claim, now):
                await conn.execute(
                    update(bots)
                    .where(bots.c.id == claim.pending_bot.id)
                    .values(last_error_code="not_found_on_reconcile", updated_at=now)
                )

    async def give_up(self, claim: Claim, *, now: datetime, reason: str) -> None:
        """The meeting can no longer be reached in time (it is over): no bot will be sent."""
        async with self._engine.begin() as conn:
            settled = await _settle(conn, claim, now, state=DispatchState.FAILED, error=reason)
            if settled and claim.pending_bot is not None:
                await conn.execute(
                    update(bots)
                    .where(bots.c.id == claim.pending_bot.id)
                    .values(active=False, last_error_message=reason, updated_at=now)
                )

    async def release(self, claim: Claim, *, now: datetime) -> None:
        """Hand a claim back untouched (shutdown, paused dispatching)."""
        async with self._engine.begin() as conn:
            await _settle(conn, claim, now, state=A if claim.reconcile else W)

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
        async with self._engine.connect() as conn:
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
        async with self._engine.connect() as conn:
            return [(row.id, row.dispatch_at) for row in await conn.execute(query)]


async def _claims(conn: AsyncConnection, prior: dict[int, str], token: str) -> list[Claim]:
    rows = (
        await conn.execute(
            select(meetings).where(meetings.c.id.in_(prior)).order_by(meetings.c.deadline)
        )
    ).mappings()
    pending_rows = (
        await conn.execute(
            select(bots).where(
                bots.c.meeting_id.in_(prior), bots.c.active, bots.c.mavera_id.is_(None)
            )
        )
    ).mappings()
    pending = {row["meeting_id"]: bot_from_row(row) for row in pending_rows}
    return [
        Claim(
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
        for row in rows
    ]


def _held(claim: Claim) -> Any:
    return (
        (meetings.c.id == claim.meeting_id)
        & (meetings.c.claim_token == claim.token)
        & (meetings.c.dispatch_state == C.value)
    )


async def _touch(conn: AsyncConnection, claim: Claim, now: datetime) -> bool:
    """True if the claim is still ours (a fenced no-op write that also takes the row lock)."""
    result = await conn.execute(update(meetings).where(_held(claim)).values(updated_at=now))
    return bool(result.rowcount == 1)


async def _settle(
    conn: AsyncConnection,
    claim: Claim,
    now: datetime,
    *,
    state: DispatchState,
    dispatch_at: datetime | None = None,
    error: str | None = None,
) -> bool:
    """End the claim with ``state``; False (and no write) if the claim is no longer held."""
    values: dict[str, Any] = {
        "dispatch_state": state.value,
        "claim_token": None,
        "claimed_by": None,
        "lease_until": None,
        "last_error": error,
        "updated_at": now,
    }
    if dispatch_at is not None:
        values["dispatch_at"] = dispatch_at
    result = await conn.execute(update(meetings).where(_held(claim)).values(values))
    return bool(result.rowcount == 1)


async def _write_intent(conn: AsyncConnection, claim: Claim, now: datetime) -> Intent:
    pending = claim.pending_bot
    if pending is None:
        bot_id = await conn.scalar(
            insert(bots)
            .values(
                meeting_id=claim.meeting_id,
                meeting_url=claim.meeting_url,
                join_at=claim.join_at,
                active=True,
                attempts=1,
                requested_at=now,
                created_at=now,
                updated_at=now,
            )
            .returning(bots.c.id)
        )
        assert bot_id is not None
        attempt, bot_id_value, first_at = 1, int(bot_id), now
    else:
        await conn.execute(
            update(bots)
            .where(bots.c.id == pending.id)
            .values(
                meeting_url=claim.meeting_url,
                join_at=claim.join_at,
                attempts=bots.c.attempts + 1,
                updated_at=now,
            )
        )
        attempt, bot_id_value = pending.attempts + 1, pending.id
        first_at = pending.requested_at or now
    return Intent(
        claim=claim,
        bot_id=bot_id_value,
        meeting_url=claim.meeting_url,
        join_at=claim.join_at,
        attempt=attempt,
        requested_at=first_at,
    )


async def _bot_error(
    conn: AsyncConnection,
    bot_id: int,
    now: datetime,
    code: str,
    message: str,
    *,
    attempts_delta: int = 0,
    active: bool | None = None,
) -> None:
    values: dict[str, Any] = {
        "last_error_code": code,
        "last_error_message": message,
        "attempts": bots.c.attempts + attempts_delta,
        "updated_at": now,
    }
    if active is not None:
        values["active"] = active
    await conn.execute(update(bots).where(bots.c.id == bot_id).values(values))
