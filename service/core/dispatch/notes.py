"""The lines a meeting's story gets when what it wants or its dispatch state changes (shown by
``meetings explain``): one wording, whichever store writes them."""

from __future__ import annotations

from typing import Final

from service.core.dispatch.decisions import Settled
from service.core.dispatch.states import DispatchState

# (kind, detail) of one meeting event.
Note = tuple[str, str]

FROZEN_CHANGE: Final = "changed inside the freeze window: the booked bot is left alone"


def decision_note(wanted: bool, reason: str | None) -> Note:
    """Whether a bot is wanted now, and why (the rules, unless a reason is given)."""
    verdict = "a bot is wanted" if wanted else "no bot is wanted"
    return "decision", f"{verdict} ({reason or 'rules'})"


def override_note(override: str | None) -> Note:
    """A manual override set (``record``, ``skip``) or cleared (None)."""
    return "override", override or "cleared: rules decide"


def state_note(before: DispatchState, after: DispatchState) -> Note:
    return "state", f"{before.value} -> {after.value}"


def settled_notes(before: DispatchState, settled: Settled) -> list[Note]:
    """What settling a changed wish tells: the new state, or a change left alone (frozen)."""
    if settled.state is not before:
        return [state_note(before, settled.state)]
    if settled.kept_frozen:
        return [("frozen", FROZEN_CHANGE)]
    return []
