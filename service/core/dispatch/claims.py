"""Claim values: what a claim pass hands a worker, what it commits, what a create became."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from service.core.dispatch.states import DispatchState
from service.core.model import Bot, RemoteBot


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """A meeting a worker has won the right to act on, under a lease fenced by ``token``.

    ``prior`` is the state it was claimed from. ``pending_bot`` is the active booking with no
    known Mavera id, if one exists: after an ambiguous create it must be reconciled before
    anything is sent again. ``booked_bot`` is the active bot of a stale meeting, to cancel.
    """

    meeting_id: int
    token: str
    title: str
    meeting_url: str = field(repr=False)  # may carry a passcode
    join_at: datetime
    end_at: datetime
    deadline: datetime
    wanted: bool
    prior: DispatchState
    pending_bot: Bot | None
    booked_bot: Bot | None = None
    lease_until: datetime | None = None

    @property
    def reconcile(self) -> bool:
        return self.prior is DispatchState.AMBIGUOUS and self.pending_bot is not None

    @property
    def change(self) -> bool:
        return self.prior is DispatchState.STALE and self.booked_bot is not None

    @property
    def booking(self) -> Bot | None:
        """The active booking: the booked bot, else the pending one (None: none yet)."""
        return self.booked_bot or self.pending_bot


class Recorded(StrEnum):
    """What became of a bot Mavera created, once its answer was written down.

    stored    -> it is the meeting's bot (written now, or already there: adopted by another).
    duplicate -> the booking holds another bot: this one is recorded as a duplicate and must
                 be cancelled (the store will never hand it to anyone).
    disowned  -> another worker already recorded it as a duplicate and is cancelling it:
                 the meeting is reconciled again.
    """

    STORED = "stored"
    DUPLICATE = "duplicate"
    DISOWNED = "disowned"


@dataclass(frozen=True, slots=True, kw_only=True)
class Intent:
    """The committed intent to send one create: written before the request leaves."""

    claim: Claim
    bot_id: int
    meeting_url: str = field(repr=False)  # may carry a passcode
    join_at: datetime
    attempt: int
    requested_at: datetime


def intent_for(claim: Claim, bot_id: int, *, attempt: int, requested_at: datetime) -> Intent:
    """The intent to send the claim's create for the booking ``bot_id`` (what it is sent
    with: the claim's link and join time)."""
    return Intent(
        claim=claim,
        bot_id=bot_id,
        meeting_url=claim.meeting_url,
        join_at=claim.join_at,
        attempt=attempt,
        requested_at=requested_at,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Created:
    """A bot Mavera made for an intent, as the store writes it down: the bot, how it came
    (``booked``: the create's answer; ``adopted``: found by a reconciliation), when it is
    first checked and until when it is tracked."""

    bot: RemoteBot
    next_check_at: datetime | None
    track_until: datetime
    how: str = "booked"


@dataclass(frozen=True, slots=True, kw_only=True)
class Duplicate:
    """A second bot for a meeting, recorded (so that no booking ever takes it) before it is
    cancelled. ``meeting_url``/``join_at``: what its booking sent, for where Mavera's answer
    does not say."""

    meeting_id: int
    bot: RemoteBot
    meeting_url: str = field(repr=False)  # may carry a passcode
    join_at: datetime

    @classmethod
    def of(cls, intent: Intent, bot: RemoteBot) -> Duplicate:
        """``bot`` as a duplicate of the bot the intent's booking holds."""
        return cls(
            meeting_id=intent.claim.meeting_id,
            bot=bot,
            meeting_url=intent.meeting_url,
            join_at=intent.join_at,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimBatch:
    """What one claim pass produced: intents ready to send (already committed), claims that
    must be reconciled first, stale bookings to cancel first, and meetings given up because
    they are over."""

    intents: tuple[Intent, ...] = ()
    reconcile: tuple[Claim, ...] = ()
    changes: tuple[Claim, ...] = ()
    given_up: tuple[int, ...] = ()


def sort_claims(claims: Sequence[Claim]) -> tuple[list[Claim], list[Claim], list[Claim]]:
    """(to reconcile first, stale bookings to cancel first, ready for a create)."""
    reconcile = [claim for claim in claims if claim.reconcile]
    changes = [claim for claim in claims if claim.change]
    ready = [claim for claim in claims if not (claim.reconcile or claim.change)]
    return reconcile, changes, ready
