"""Dispatcher: claims due meetings and books exactly one bot for each, through any fault."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.core.conditions import request_log_level
from service.core.dispatch.claims import Claim, Created, Duplicate, Intent, Recorded
from service.core.errors import (
    ACCOUNT_REFUSED,
    NOTHING_DONE,
    MaveraError,
    MaveraOutcomeUnknown,
    MaveraRateLimited,
    MaveraRejected,
)
from service.core.matching import ListScan, match_key
from service.core.model import RemoteBot
from service.core.polling import PollingPolicy, next_check_at
from service.core.ports import BotApi, Clock, DispatchStore, RequestBudget
from service.usecases.rebook import rebook

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class DispatchSettings:
    bot_name: str
    workspace_id: str | None
    lease: timedelta
    batch_size: int
    # After an ambiguous create, wait this long before listing: the server may still be
    # working on the request our client gave up on.
    settle: timedelta
    # How much earlier than our intent a bot of ours may carry as created_at (clock skew).
    skew: timedelta = timedelta(minutes=5)
    retry_after_not_sent: timedelta = timedelta(seconds=30)
    pause_on_account_error: timedelta = timedelta(minutes=5)
    give_up_after: timedelta
    polling: PollingPolicy
    freeze: timedelta = timedelta(minutes=5)
    # A create must leave this long before its claim's lease ends (the request timeout and
    # a margin), so its answer is written while the claim still holds.
    send_margin: timedelta = timedelta(seconds=25)
    max_list_pages: int = 200


class Dispatcher:
    def __init__(
        self,
        *,
        store: DispatchStore,
        api: BotApi,
        budget: RequestBudget,
        clock: Clock,
        settings: DispatchSettings,
    ) -> None:
        self._store = store
        self._api = api
        self._budget = budget
        self._clock = clock
        self._settings = settings

    async def dispatch_due(self) -> int:
        """One pass: claim what is due (as much as the budget can send now), reconcile the
        ambiguous, send the creates; return how many meetings it handled (0: nothing due)."""
        now = self._clock.now()
        if await self._budget.paused(now) is not None:
            return 0
        # At least one, so the pass waits for the next free slot instead of idling a tick.
        room = max(1, await self._budget.free_for_writes(now))
        batch = await self._store.claim_due(
            now=now, limit=min(room, self._settings.batch_size), lease=self._settings.lease
        )
        for meeting_id in batch.given_up:
            log.warning("meeting %d is over; no bot sent", meeting_id)
        intents = [*batch.intents, *await self._reconcile(list(batch.reconcile))]
        for claim in batch.changes:
            intents += await rebook(
                claim,
                store=self._store,
                api=self._api,
                clock=self._clock,
                freeze=self._settings.freeze,
            )
        await _all(self._create(intent) for intent in intents)
        return len(intents) + len(batch.given_up) + len(batch.changes)

    async def _create(self, intent: Intent) -> None:
        try:
            remote = await self._api.create_bot(
                meeting_url=intent.meeting_url,
                join_at=intent.join_at,
                title=intent.claim.title,
                bot_name=self._settings.bot_name,
                workspace_id=self._settings.workspace_id,
                send_by=_send_by(intent, self._settings.send_margin),
            )
        except MaveraError as exc:
            await self._record_failure(intent, exc)
            return
        await self._record_bot(intent, remote)

    async def _record_bot(self, intent: Intent, remote: RemoteBot, *, how: str = "booked") -> None:
        now, meeting_id = self._clock.now(), intent.claim.meeting_id
        track_until = intent.claim.end_at + self._settings.give_up_after
        first_check = next_check_at(
            remote.status,
            join_at=intent.join_at,
            track_until=track_until,
            now=now,
            policy=self._settings.polling,
        )
        created = Created(bot=remote, next_check_at=first_check, track_until=track_until, how=how)
        outcome = await self._store.record_created(intent, created, now=now)
        await self._after_recording(outcome, meeting_id, remote, how)

    async def _after_recording(
        self, outcome: Recorded, meeting_id: int, remote: RemoteBot, how: str
    ) -> None:
        if outcome is Recorded.STORED:
            log.info("meeting %d %s: bot %s", meeting_id, how, remote.mavera_id)
        elif outcome is Recorded.DUPLICATE:
            log.warning(
                "meeting %d already holds another bot; bot %s is a duplicate: cancelling it",
                meeting_id,
                remote.mavera_id,
            )
            await self._cancel(remote)
        else:
            log.info(
                "meeting %d: bot %s was found to be a duplicate; reconciling again",
                meeting_id,
                remote.mavera_id,
            )

    async def _record_failure(self, intent: Intent, exc: MaveraError) -> None:
        now, meeting_id = self._clock.now(), intent.claim.meeting_id
        code = exc.code or type(exc).__name__
        if isinstance(exc, NOTHING_DONE):
            wait = (
                timedelta(seconds=exc.retry_after)
                if isinstance(exc, MaveraRateLimited)
                else self._settings.retry_after_not_sent
            )
            await self._store.release_not_sent(
                intent, now=now, retry_at=now + wait, code=code, message=exc.message
            )
        elif isinstance(exc, ACCOUNT_REFUSED):
            await self._pause(exc, now)
            retry_at = now + self._settings.pause_on_account_error
            await self._store.release_not_sent(
                intent, now=now, retry_at=retry_at, code=code, message=exc.message
            )
        elif isinstance(exc, MaveraRejected):
            log.error("meeting %d: Mavera refused the bot: %s", meeting_id, exc)
            await self._store.record_rejected(intent, now=now, code=code, message=exc.message)
        else:
            assert isinstance(exc, MaveraOutcomeUnknown)
            # A per-meeting fact; an outage behind it is the client's condition (WARNING).
            log.info("meeting %d: create outcome unknown (%s); will reconcile", meeting_id, exc)
            retry_at = now + self._settings.settle
            await self._store.record_ambiguous(
                intent, now=now, retry_at=retry_at, code=code, message=exc.message
            )

    async def _pause(self, exc: MaveraError, now: datetime) -> None:
        until = now + self._settings.pause_on_account_error
        await self._budget.pause(until=until, reason=str(exc))
        # The ALERT is the client's account condition: once per outage, not once per create.
        log.debug("dispatching paused until %s: %s", until.isoformat(), exc)

    async def _reconcile(self, claims: list[Claim]) -> list[Intent]:
        """Match ambiguous bookings against Mavera's list; intents for those that need a
        create again (the others are adopted, or handed back if the list was incomplete)."""
        if not claims:
            return []
        pending = [claim.pending_bot for claim in claims if claim.pending_bot is not None]
        scan = ListScan(pending=pending, skew=self._settings.skew)
        try:
            complete = await self._scan(scan)
        except MaveraError as exc:
            log.log(request_log_level(exc), "reconciliation postponed: listing failed (%s)", exc)
            await self._release_all(claims)
            return []
        resolution = scan.resolve()
        for duplicate in resolution.duplicates:
            await self._cancel_duplicate(duplicate, claims)
        missing: list[Claim] = []
        for claim in claims:
            assert claim.pending_bot is not None
            remote = resolution.adopt.get(claim.pending_bot.id)
            if remote is not None:
                await self._record_bot(_adoption(claim), remote, how="adopted")
            elif complete:
                missing.append(claim)
            else:
                await self._store.release(claim, now=self._clock.now())
        batch = await self._store.intend(missing, now=self._clock.now())
        for meeting_id in batch.given_up:
            log.warning("meeting %d is over; its ambiguous create made no bot", meeting_id)
        return list(batch.intents)

    async def _scan(self, scan: ListScan) -> bool:
        """Read list pages into ``scan``; True if the whole relevant part was seen."""
        pages = self._api.list_pages(
            workspace_id=self._settings.workspace_id, max_pages=self._settings.max_list_pages
        )
        async for page in pages:
            known = await self._store.known_mavera_ids([bot.mavera_id for bot in page.bots])
            scan.add_page(page.bots, known=known)
            if scan.complete():
                return True
            if not page.has_more:
                return True
        log.error(
            "reconciliation could not see the whole list within %d pages",
            self._settings.max_list_pages,
        )
        return False

    async def _release_all(self, claims: Sequence[Claim]) -> None:
        for claim in claims:
            await self._store.release(claim, now=self._clock.now())

    async def _cancel_duplicate(self, remote: RemoteBot, claims: Sequence[Claim]) -> None:
        """Cancel an extra bot found on reconcile, once the store has it as a duplicate (if a
        booking holds it meanwhile, it is that meeting's bot and stays)."""
        key = match_key(remote.meeting_url, remote.join_at)
        for claim in claims:
            bot = claim.pending_bot
            if bot is None or match_key(bot.meeting_url, bot.join_at) != key:
                continue
            duplicate = Duplicate(
                meeting_id=claim.meeting_id,
                bot=remote,
                meeting_url=bot.meeting_url,
                join_at=bot.join_at,
            )
            if await self._store.disown(duplicate, now=self._clock.now()):
                log.warning(
                    "meeting %d: bot %s is a duplicate: cancelling it",
                    claim.meeting_id,
                    remote.mavera_id,
                )
                await self._cancel(remote)
            return

    async def _cancel(self, remote: RemoteBot) -> None:
        try:
            await self._api.cancel_bot(remote.mavera_id, reason="duplicate booking by autojoin")
        except MaveraError as exc:
            log.error("ALERT: could not cancel duplicate bot %s: %s", remote.mavera_id, exc)


def _send_by(intent: Intent, margin: timedelta) -> datetime | None:
    lease_until = intent.claim.lease_until
    return lease_until - margin if lease_until is not None else None


def _adoption(claim: Claim) -> Intent:
    bot = claim.pending_bot
    assert bot is not None
    return Intent(
        claim=claim,
        bot_id=bot.id,
        meeting_url=bot.meeting_url,
        join_at=bot.join_at,
        attempt=bot.attempts,
        requested_at=bot.requested_at or bot.join_at,
    )


async def _all(jobs: Iterable[Awaitable[None]]) -> None:
    """Run every job to its end even if one fails, then raise the first failure."""
    results = await asyncio.gather(*jobs, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
