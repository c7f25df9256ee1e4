"""The dispatch ports: claiming due meetings and recording what Mavera answered, and the
plan store the replanner reads waiting meetings from and writes dispatch times to."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from service.core.dispatch.claims import Claim, ClaimBatch, Created, Duplicate, Intent, Recorded
from service.core.planner import Job


class DispatchStore(Protocol):
    """Claims under leases and fenced outcome writes (see ``SqlDispatchStore``); no method
    raises but what the store fails with while it cannot be reached (see the package)."""

    async def claim_due(self, *, now: datetime, limit: int, lease: timedelta) -> ClaimBatch:
        """Claim up to ``limit`` due meetings, earliest deadline first (one worker wins each),
        committing in the same transaction the create intents of those that can be sent at
        once. An ambiguous meeting comes back in ``reconcile`` (match it against Mavera's list
        before anything is sent again), a stale one in ``changes`` (cancel its bot first)."""
        ...

    async def intend(self, claims: Sequence[Claim], *, now: datetime) -> ClaimBatch:
        """Commit create intents for claims still held (after a reconciliation found nothing);
        meetings that are already over are failed instead."""
        ...

    async def record_created(self, intent: Intent, created: Created, *, now: datetime) -> Recorded:
        """Store the bot, claim or no claim: the first bot written to a booking is the
        meeting's. DUPLICATE: another bot holds the booking and the created bot is recorded
        as a duplicate, to cancel. DISOWNED: the created bot was recorded as a duplicate by
        someone else; the meeting is reconciled again."""
        ...

    async def disown(self, duplicate: Duplicate, *, now: datetime) -> bool:
        """Record a duplicate of the meeting's bot before it is cancelled; False (nothing
        written) if a booking holds it, in which case it must not be cancelled."""
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


class PlanStore(Protocol):
    """The meetings the planner schedules, and the dispatch times it chose (see
    ``SqlPlanStore``); no method raises but what the store fails with (see the package)."""

    async def waiting(self) -> tuple[list[Job], dict[int, datetime]]:
        """Every meeting still waiting for its create, or whose booked bot must change, as a
        planner job; and each one's current dispatch time, by meeting id."""
        ...

    async def reschedule(self, times: Mapping[int, datetime], *, now: datetime) -> int:
        """Write new dispatch times, by meeting id, to the meetings that are still waiting
        (the others are left as they are); return how many times were given."""
        ...
