"""Pure dispatch decisions the store applies before it writes: whether a bot is wanted,
whether the booked bot fits, the event a changed wish brings, whether a claim may send its
create, and the planner's job for a meeting. Each returns an event or a value; the state that
follows is the table's (``states.transition``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from service.core.dispatch.claims import Claim
from service.core.dispatch.states import (
    HELD,
    HOLDS_BOT,
    IN_FLIGHT,
    DispatchEvent,
    DispatchState,
    sources,
    transition,
)
from service.core.errors import DispatchNotFailed
from service.core.planner import Job
from service.core.timing import Verdict, dispatch_verdict, frozen

E = DispatchEvent

# A source's vote on a meeting: does it want a bot, and why.
Vote = tuple[bool, str | None]

# Reasons no override can change: there is no call to record.
STRUCTURAL: Final = frozenset({"cancelled", "all_day", "no_join_url", "ended", "vanished"})
OVERRIDES: Final = ("record", "skip")


def check_override(override: str | None) -> None:
    """An override is one of ``OVERRIDES``, or None (back to the rules).

    :raises ValueError: it is neither.
    """
    if override is not None and override not in OVERRIDES:
        raise ValueError(f"override must be one of {OVERRIDES} or None")


def decide_wanted(override: str | None, votes: Sequence[Vote]) -> Vote:
    """A bot is wanted if any source's rules want one; a manual override beats the rules but
    not a structural reason (every source cancelled, gone, all-day or over)."""
    if not votes:
        return False, "vanished"
    structural = [reason for record, reason in votes if not record and reason in STRUCTURAL]
    if len(structural) == len(votes):
        return False, structural[0]
    if override in OVERRIDES:
        return override == "record", f"manual_{override}"
    for record, reason in votes:
        if record:
            return True, reason
    return False, votes[0][1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Wish:
    """What the meeting wants now, against what its booked bot (if any) was sent."""

    wanted: bool
    join_at: datetime
    meeting_url: str
    changed: bool
    booked_join_at: datetime | None = None
    booked_url: str | None = None


def booked_matches(wish: Wish) -> bool:
    """The booked bot joins the wanted call at the wanted time."""
    return wish.booked_join_at == wish.join_at and wish.booked_url == wish.meeting_url


def bot_fits(wish: Wish) -> bool:
    """The booked bot is still the one the meeting wants: a bot is wanted and it matches."""
    return wish.wanted and booked_matches(wish)


def booked_event(wish: Wish) -> DispatchEvent:
    """The event for the bot a booking has just come to hold (a create's answer, an
    adoption, a late answer, a claim whose lease ran out): created if it fits, else moved."""
    return E.CREATED if bot_fits(wish) else E.MOVED


def wish_event(
    state: DispatchState, wish: Wish, *, now: datetime, freeze: timedelta
) -> DispatchEvent | None:
    """The event a changed wish (sync, import, override) brings; None: the meeting stays.

    Claimed and ambiguous meetings are in flight and settle first; a failed meeting is only
    tried again when what it asks for changed; a booked bot that no longer fits is moved (to
    cancel, and re-book if still wanted) unless it is inside the freeze window.
    """
    if state in IN_FLIGHT:
        return None
    if state in HOLDS_BOT:
        if bot_fits(wish):
            return E.MATCHED
        return E.FROZEN if frozen(wish.booked_join_at, now=now, freeze=freeze) else E.MOVED
    if not wish.wanted:
        return E.UNWANTED
    if state is DispatchState.FAILED and not wish.changed:
        return None
    return E.PLANNED


def next_state(
    state: DispatchState, wish: Wish, *, now: datetime, freeze: timedelta
) -> DispatchState:
    """Where a meeting goes after its wish changed (see ``wish_event``)."""
    event = wish_event(state, wish, now=now, freeze=freeze)
    return state if event is None else transition(state, event)


@dataclass(frozen=True, slots=True, kw_only=True)
class Settled:
    """What a changed wish does to a meeting: its state after; ``due_now``: it has just
    become stale, so its cancel is due at once; ``kept_frozen``: a change to its booked bot
    was left alone inside the freeze window."""

    state: DispatchState
    due_now: bool
    kept_frozen: bool


def settle_wish(state: DispatchState, wish: Wish, *, now: datetime, freeze: timedelta) -> Settled:
    """Settle a meeting whose wish may have changed."""
    after = next_state(state, wish, now=now, freeze=freeze)
    kept = after is state is DispatchState.BOOKED and wish.changed and not booked_matches(wish)
    return Settled(
        state=after, due_now=after is not state and after is DispatchState.STALE, kept_frozen=kept
    )


def follows_new_times(state: DispatchState) -> bool:
    """A waiting meeting's dispatch time follows its new times; any other keeps its own (in
    flight, due now to cancel, or due when its reconciliation was set for)."""
    return state is DispatchState.WAITING


TOO_LATE: Final = "the meeting ended before a bot could be booked"
NOT_WANTED: Final = "no bot is wanted any more"


@dataclass(frozen=True, slots=True, kw_only=True)
class Closing:
    """A claim that ends without a create: its event, the code its pending booking (if any)
    is closed with, and the message."""

    event: DispatchEvent
    code: str
    message: str

    @property
    def state(self) -> DispatchState:
        return transition(HELD, self.event)

    @property
    def error(self) -> str | None:
        """The meeting's last error: the message if the meeting fails, else none."""
        return self.message if self.state is DispatchState.FAILED else None

    @property
    def given_up(self) -> bool:
        """The meeting is over: the claim pass reports it (``ClaimBatch.given_up``)."""
        return self.event is E.GIVEN_UP


def closing(claim: Claim, *, now: datetime) -> Closing | None:
    """Why a claim must end before its create is sent (no bot wanted any more, or the meeting
    is over); None: the create may go."""
    if not claim.wanted:
        return Closing(event=E.UNWANTED, code="no_longer_wanted", message=NOT_WANTED)
    if dispatch_verdict(join_at=claim.join_at, end_at=claim.end_at, now=now) is Verdict.TOO_LATE:
        return Closing(event=E.GIVEN_UP, code="too_late", message=TOO_LATE)
    return None


SCHEDULED: Final = frozenset({DispatchState.WAITING, DispatchState.STALE})
"""The states whose dispatch time the planner chooses: waiting for a create, or stale with a
cancel to send (an ambiguous meeting is due when its reconciliation was set for)."""


def plan_job(
    *,
    meeting_id: int,
    state: DispatchState,
    deadline: datetime,
    join_at: datetime,
    wanted: bool,
    booked_join_at: datetime | None,
) -> Job:
    """The planner's job for a scheduled meeting: a create, or for a stale booking a cancel
    (then a create if a bot is still wanted) that must go before the old bot joins."""
    if state is DispatchState.WAITING:
        return Job(key=meeting_id, deadline=deadline, join_at=join_at)
    deadline = min(deadline, booked_join_at or deadline)
    cost = 2 if wanted else 1
    return Job(key=meeting_id, deadline=deadline, join_at=join_at, cost=cost, urgent=True)


def retried(meeting_id: int, state: DispatchState) -> DispatchState:
    """The state an operator's retry leads to (``retried`` in the table).

    :raises DispatchNotFailed: the table lets no retry start from ``state``.
    """
    if state not in sources(E.RETRIED):
        raise DispatchNotFailed(meeting_id, state.value)
    return transition(state, E.RETRIED)
