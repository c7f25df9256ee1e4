"""Protocols the core depends on; adapters implement them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from service.core.dispatch.claims import Claim, ClaimBatch, Intent, Recorded
from service.core.model import Bot, Observed, RemoteBot, RemotePage


class Clock(Protocol):
    """The source of ``now`` and of waiting; tests inject a fake that moves on command."""

    def now(self) -> datetime:
        """Return the current time, aware, in UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a fake clock advances itself instead of waiting)."""
        ...


class Purpose(StrEnum):
    """Why a request is sent; reads are capped so they never starve creates."""

    CREATE = "create"
    CANCEL = "cancel"
    READ = "read"


class RequestBudget(Protocol):
    """The API key's per-minute budget and account state, shared by everything that calls
    Mavera (every replica, on PostgreSQL)."""

    async def acquire(self, purpose: Purpose, *, by: datetime | None = None) -> None:
        """Wait until one request for ``purpose`` fits in the window, then count it.

        :raises SendWindowPassed: no room before ``by`` (nothing was counted or sent).
        """
        ...

    async def block(self, until: datetime) -> None:
        """Send nothing before ``until`` (Mavera answered 429 with Retry-After)."""
        ...

    async def observe(self, *, limit: int | None, remaining: int | None, now: datetime) -> None:
        """Correct the budget from the ``X-RateLimit-Limit``/``-Remaining`` headers."""
        ...

    async def free_for_writes(self, now: datetime) -> int:
        """How many creates or cancels would fit right now."""
        ...

    async def requests_per_minute(self) -> int:
        """The key's limit as last learned (configured, then corrected by the server)."""
        ...

    async def pause(self, *, until: datetime, reason: str) -> None:
        """Stop dispatching with this key until ``until`` (401/402: key or account refused)."""
        ...

    async def paused(self, now: datetime) -> tuple[datetime, str] | None:
        """(until, reason) while dispatching is paused, else None."""
        ...


class BotApi(Protocol):
    """The Mavera Meetings API as the use cases need it.

    Errors are the ``MaveraError`` tree: ``MaveraRejected`` (4xx, nothing happened),
    ``MaveraRateLimited`` and ``MaveraNotSent`` (nothing happened, try later),
    ``MaveraOutcomeUnknown`` (it may have happened).
    """

    async def create_bot(
        self,
        *,
        meeting_url: str,
        join_at: datetime,
        title: str,
        bot_name: str,
        workspace_id: str | None,
        send_by: datetime | None = None,
    ) -> RemoteBot:
        """Book a bot that joins ``meeting_url`` at ``join_at``; never send after ``send_by``."""
        ...

    async def get_bot(self, mavera_id: str) -> RemoteBot:
        """Read one bot; raises ``MaveraNotFound`` if Mavera does not know it."""
        ...

    async def cancel_bot(self, mavera_id: str, *, reason: str) -> None:
        """Cancel a bot (harmless to repeat)."""
        ...

    def list_pages(
        self, *, workspace_id: str | None = None, page_size: int = 100, max_pages: int = 1000
    ) -> AsyncIterator[RemotePage]:
        """Pages of bots, newest first where the API sorts that way."""
        ...


class DispatchStore(Protocol):
    """Claims under leases and fenced outcome writes (see ``SqlDispatchStore``)."""

    async def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> ClaimBatch:
        """Claim up to ``limit`` due meetings, earliest deadline first (one worker wins each),
        committing in the same transaction the create intents of those that can be sent."""
        ...

    async def intend(self, claims: Sequence[Claim], *, now: datetime) -> ClaimBatch:
        """Commit create intents for claims still held (after a reconciliation found nothing);
        meetings that are already over are failed instead."""
        ...

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
        """Store the bot, claim or no claim: the first bot written to a booking is the
        meeting's. DUPLICATE: another bot holds the booking and ``remote`` is recorded as a
        duplicate, to cancel. DISOWNED: ``remote`` was recorded as a duplicate by someone else;
        the meeting is reconciled again."""
        ...

    async def disown(
        self,
        meeting_id: int,
        remote: RemoteBot,
        *,
        meeting_url: str,
        join_at: datetime,
        now: datetime,
    ) -> bool:
        """Record ``remote`` as a duplicate of the meeting's bot before it is cancelled; False
        (nothing written) if a booking holds it, in which case it must not be cancelled."""
        ...

    async def release_not_sent(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        """Nothing reached Mavera: uncount the attempt, wait until ``retry_at``."""
        ...

    async def record_rejected(
        self, intent: Intent, *, now: datetime, code: str, message: str
    ) -> None:
        """Mavera refused for good: close the booking, fail the meeting."""
        ...

    async def record_ambiguous(
        self, intent: Intent, *, now: datetime, retry_at: datetime, code: str, message: str
    ) -> None:
        """A bot may exist: reconcile at ``retry_at`` before any new create."""
        ...

    async def release(
        self, claim: Claim, *, now: datetime, retry_at: datetime | None = None
    ) -> None:
        """Hand a claim back in the state it was claimed from, due again at ``retry_at``."""
        ...

    async def keep_booked(self, claim: Claim, *, now: datetime, reason: str) -> None:
        """Leave a stale meeting's booked bot as it is (freeze window, refused cancel)."""
        ...

    async def record_cancelled(
        self, claim: Claim, *, now: datetime, status: str = "cancelled"
    ) -> ClaimBatch:
        """Close the stale booking; commit a new create intent if a bot is still wanted."""
        ...

    async def expire_leases(self, *, now: datetime, all_claims: bool = False) -> int:
        """Turn claims whose lease ran out into ambiguous meetings; return how many."""
        ...

    async def known_mavera_ids(self, mavera_ids: Sequence[str]) -> set[str]:
        """Which of these Mavera ids already belong to a booking."""
        ...

    async def upcoming(
        self, *, now: datetime, until: datetime, limit: int
    ) -> list[tuple[int, datetime]]:
        """(meeting id, dispatch time) of claimable meetings due in ``(now, until]``."""
        ...


class TrackingStore(Protocol):
    """Bots to read and the statuses read (see ``SqlTrackingStore``)."""

    async def due_for_check(self, *, now: datetime, limit: int) -> list[Bot]:
        """Bots whose next read is due, most overdue first."""
        ...

    async def tracked(self, mavera_ids: Sequence[str]) -> dict[str, Bot]:
        """Which of these bots are still tracked (whether due or not), by Mavera id."""
        ...

    async def count_created_since(self, since: datetime) -> int:
        """How many of our bots were requested since ``since`` (list pages to reach it)."""
        ...

    async def record_observations(self, observed: Sequence[Observed], *, now: datetime) -> None:
        """Store reads in one transaction; changed statuses also go to the history."""
        ...

    async def record_missing(
        self, bot_id: int, *, now: datetime, retry_at: datetime, message: str
    ) -> None:
        """Mavera answered 404 once: mark the bot (code ``not_found``), read it at ``retry_at``."""
        ...

    async def record_found(self, bot_ids: Sequence[int], *, now: datetime) -> None:
        """These bots were read after all: drop their ``not_found`` mark."""
        ...

    async def record_lost(self, bot_id: int, *, now: datetime, message: str) -> bool:
        """Mavera no longer knows the bot: no more reads, an event on its meeting, and the
        meeting ``failed`` with ``message`` if this bot was its booking (True then)."""
        ...
