"""The bot status state machine: which observed status changes are recorded, and how."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from service.core.model import TERMINAL_STATUSES, BotStatus

S = BotStatus
_FAILURES: Final = frozenset({S.FATAL, S.RECORDING_PERMISSION_DENIED, S.CANCELLED})
_IN_CALL: Final = frozenset({S.IN_CALL_NOT_RECORDING, S.IN_CALL_RECORDING})
_AFTER: Final = frozenset({S.CALL_ENDED, S.RECORDING_DONE, S.DONE, S.MEDIA_EXPIRED})

# Statuses are observed by polling, so intermediate ones can be missed: every later phase is a
# legal next status (even media_expired, for a bot not read for a long time). Recording may
# pause and resume inside a call.
NEXT: Final[Mapping[BotStatus, frozenset[BotStatus]]] = {
    S.PENDING: frozenset({S.JOINING_CALL, S.IN_WAITING_ROOM, *_IN_CALL, *_AFTER, *_FAILURES}),
    S.JOINING_CALL: frozenset({S.IN_WAITING_ROOM, *_IN_CALL, *_AFTER, *_FAILURES}),
    S.IN_WAITING_ROOM: frozenset({*_IN_CALL, *_AFTER, *_FAILURES}),
    S.IN_CALL_NOT_RECORDING: frozenset({S.IN_CALL_RECORDING, *_AFTER, *_FAILURES}),
    S.IN_CALL_RECORDING: frozenset({S.IN_CALL_NOT_RECORDING, *_AFTER, *_FAILURES}),
    S.CALL_ENDED: frozenset({S.RECORDING_DONE, S.DONE, S.MEDIA_EXPIRED, S.FATAL}),
    S.RECORDING_DONE: frozenset({S.DONE, S.MEDIA_EXPIRED, S.FATAL}),
    S.DONE: frozenset({S.MEDIA_EXPIRED}),
    S.FATAL: frozenset(),
    S.RECORDING_PERMISSION_DENIED: frozenset(),
    S.MEDIA_EXPIRED: frozenset(),
    S.CANCELLED: frozenset(),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Observation:
    """What to do with a status read from Mavera.

    ``record``: store it and add it to the history. ``known``: one of the documented twelve.
    ``expected``: the transition is in NEXT (an unexpected one is still recorded: Mavera is
    the truth, but it is worth a warning).
    """

    status: str
    record: bool
    known: bool
    expected: bool


def parse_status(value: str) -> BotStatus | None:
    try:
        return BotStatus(value)
    except ValueError:
        return None


def observe(current: str | None, seen: str) -> Observation:
    """Decide how a newly read status relates to the last one we stored."""
    seen_status = parse_status(seen)
    known = seen_status is not None
    if current == seen:
        return Observation(status=seen, record=False, known=known, expected=True)
    current_status = parse_status(current) if current is not None else None
    if current_status in TERMINAL_STATUSES and seen_status not in NEXT[current_status]:
        # A terminal status is final; a later different answer is noise we do not apply.
        return Observation(status=seen, record=False, known=known, expected=False)
    if current_status is None or seen_status is None:
        return Observation(status=seen, record=True, known=known, expected=current is None)
    expected = seen_status in NEXT[current_status]
    return Observation(status=seen, record=True, known=True, expected=expected)


def is_terminal(status: str | None) -> bool:
    return status in TERMINAL_STATUSES
