"""The dispatch state machine as one table: every state, every event, the allowed transitions.

Every dispatch state the store writes is ``transition(state, event)`` (or, for a write over
many rows at once, ``target(event, states)``): no other module decides a state.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from service.core.errors import InvalidTransition


class DispatchState(StrEnum):
    """Where a meeting stands on the way to having exactly one bot.

    waiting   -> no bot yet; a worker may claim it once ``dispatch_at`` has passed.
    claimed   -> a worker committed the intent and holds a lease while it sends the create.
    ambiguous -> a create may or may not have made a bot (timeout, 5xx, reset, dead worker);
                 it must be reconciled against Mavera's list before any new create.
    booked    -> the bot exists; its id is stored and its status is tracked.
    stale     -> a bot is booked but no longer matches the meeting (moved, new link, cancelled,
                 no longer wanted): it must be cancelled, and booked again if still wanted.
    skipped   -> no bot is wanted (rules, manual override, cancelled) and none exists.
    failed    -> the create was rejected for good, or the meeting could no longer be reached
                 (an operator may retry it).
    """

    WAITING = "waiting"
    CLAIMED = "claimed"
    AMBIGUOUS = "ambiguous"
    BOOKED = "booked"
    STALE = "stale"
    SKIPPED = "skipped"
    FAILED = "failed"


class DispatchEvent(StrEnum):
    """What happens to a meeting's dispatch; each event is allowed in some states only."""

    PLANNED = "planned"
    """A bot is wanted and none is booked (a new or changed meeting, a record override)."""
    UNWANTED = "unwanted"
    """No bot is wanted and none is booked (rules, a skip override, every source cancelled
    or vanished), also found by a claim before its create: nothing is sent."""
    CLAIMED = "claimed"
    """A worker took the due meeting under a lease, fenced by its claim token."""
    RELEASED = "released"
    """The claim is handed back with nothing sent (the create never reached Mavera, a
    shutdown): the meeting waits again."""
    AMBIGUOUS = "ambiguous"
    """A create may have made a bot (timeout, 5xx, reset), or its reconciliation could not
    finish: reconcile against Mavera's list before any new create."""
    DISOWNED = "disowned"
    """The bot found for the meeting was recorded as a duplicate by another worker (which
    cancels it): reconcile again."""
    EXPIRED = "expired"
    """The claim's lease ran out with no bot in its booking: its worker may have sent a
    create, so whoever takes it next reconciles first."""
    RECONCILED = "reconciled"
    """Mavera's list holds no bot for the ambiguous create: the claim goes on to a new one
    (a bot the list does hold is adopted: ``CREATED``)."""
    CANCELLED = "cancelled"
    """The stale bot is gone at Mavera and its booking closed: the claim goes on (a new
    create if a bot is still wanted)."""
    CREATED = "created"
    """The booking holds a bot that fits the meeting: a create answered, a reconciliation
    adopted it, or a late answer came for a meeting nobody holds."""
    MOVED = "moved"
    """The booking holds a bot that no longer fits the meeting (moved, new link, no bot
    wanted), also when it changed while the bot was being booked: cancel it, book again."""
    MATCHED = "matched"
    """The booked bot fits the meeting as it is now (again)."""
    FROZEN = "frozen"
    """The booked bot is left alone: the change came inside the freeze window before its
    join, or Mavera refused to cancel it."""
    REJECTED = "rejected"
    """Mavera refused the create for good: no bot exists, the booking is closed."""
    GIVEN_UP = "given_up"
    """The meeting ended before a bot could be booked."""
    LOST = "lost"
    """Mavera no longer knows the booked bot (it answered 404 twice): the booking is closed."""
    RETRIED = "retried"
    """An operator asked for the failed dispatch again: the meeting waits, due at once (then
    settled like any change: skipped if no bot is wanted)."""


W, C, A = DispatchState.WAITING, DispatchState.CLAIMED, DispatchState.AMBIGUOUS
B, ST = DispatchState.BOOKED, DispatchState.STALE
SK, F = DispatchState.SKIPPED, DispatchState.FAILED
E = DispatchEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """An event's row of the table: the states it is allowed in, the state it leads to."""

    allowed: frozenset[DispatchState]
    to: DispatchState


def _from(*allowed: DispatchState, to: DispatchState) -> Transition:
    return Transition(allowed=frozenset(allowed), to=to)


# The state machine: every event, the states it is allowed in, the state it leads to. Any
# other (state, event) pair is forbidden.
TRANSITIONS: Final[Mapping[DispatchEvent, Transition]] = {
    E.PLANNED: _from(W, SK, F, to=W),
    E.UNWANTED: _from(W, SK, F, C, to=SK),
    E.CLAIMED: _from(W, A, ST, to=C),
    E.RELEASED: _from(C, to=W),
    E.AMBIGUOUS: _from(C, to=A),
    E.DISOWNED: _from(C, to=A),
    E.EXPIRED: _from(C, to=A),
    E.RECONCILED: _from(C, to=C),
    E.CANCELLED: _from(C, to=C),
    E.CREATED: _from(C, W, A, to=B),
    E.MOVED: _from(C, W, A, B, ST, to=ST),
    E.MATCHED: _from(B, ST, to=B),
    E.FROZEN: _from(C, B, ST, to=B),
    E.REJECTED: _from(C, to=F),
    E.GIVEN_UP: _from(C, to=F),
    E.LOST: _from(B, to=F),
    E.RETRIED: _from(F, to=W),
}

# A new meeting starts with the event its sources decided.
INITIAL: Final[Mapping[DispatchEvent, DispatchState]] = {E.PLANNED: W, E.UNWANTED: SK}

# The event that hands a claim back to the state it was claimed from: still waiting, still
# to reconcile, or still to cancel.
RETURNS: Final[Mapping[DispatchState, DispatchEvent]] = {W: E.RELEASED, A: E.AMBIGUOUS, ST: E.MOVED}

HELD: Final = C
"""The state of a meeting a worker holds under a lease: every write to it is fenced."""


def transition(state: DispatchState, event: DispatchEvent) -> DispatchState:
    """The state ``event`` leads to from ``state``; raises ``InvalidTransition`` if the
    table does not allow ``event`` in ``state``."""
    row = TRANSITIONS[event]
    if state not in row.allowed:
        raise InvalidTransition(state.value, event.value)
    return row.to


def sources(event: DispatchEvent) -> frozenset[DispatchState]:
    """The states ``event`` is allowed in."""
    return TRANSITIONS[event].allowed


def target(event: DispatchEvent, states: Iterable[DispatchState]) -> DispatchState:
    """The state ``event`` leads to from any of ``states``: what one write over rows in any
    of them sets. Raises ``InvalidTransition`` if ``event`` is not allowed in one of them."""
    for state in states:
        transition(state, event)
    return TRANSITIONS[event].to


def initial_state(*, wanted: bool) -> DispatchState:
    """The state a new meeting is written with: waiting if a bot is wanted, else skipped."""
    return INITIAL[E.PLANNED if wanted else E.UNWANTED]


CLAIMABLE: Final = sources(E.CLAIMED)
"""Due meetings in these states are claimed: waiting, ambiguous (to reconcile), stale (to
cancel)."""

LATE_ANSWER_STATES: Final = sources(E.CREATED) - {HELD}
"""A meeting nobody holds whose booking may still get its bot from a late answer (waiting
for a retry, or to be reconciled); a meeting in another state is left as it is."""

HOLDS_BOT: Final = sources(E.MATCHED)
"""The booking holds a bot (booked, or stale: to cancel)."""

IN_FLIGHT: Final = frozenset({C, A})
"""A create may be out: a new wish waits for it to settle first."""
