"""Cancelling a meeting's bot on an operator's word (the HTTP API's cancel).

The cancel is the skip override: the meeting stops wanting a bot, for good (until the
override is cleared), so no later sync books it again. Its booked bot becomes stale and the
dispatcher cancels it like any other change: under a claim, within the request budget,
exactly once; inside the freeze window before the join it is left alone, as for any change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service.core.dispatch.states import IN_FLIGHT, DispatchState
from service.core.model import MeetingView
from service.usecases.override import OverrideMeeting


class Cancel(StrEnum):
    """What becomes of the bot."""

    CANCELLING = "cancelling"
    """The booked bot is cancelled by the next dispatch pass."""
    IN_FLIGHT = "in_flight"
    """A create is in flight or being reconciled: a bot it makes is cancelled once known."""
    FROZEN = "frozen"
    """Inside the freeze window before the join: the booked bot is left alone."""
    NO_BOT = "no_bot"
    """No bot is booked, and none will be."""


# After the skip override settled (the table's ``unwanted``, ``moved`` or ``frozen``), what
# the meeting's state says of its bot.
_CANCEL: dict[DispatchState, Cancel] = {
    DispatchState.STALE: Cancel.CANCELLING,
    **dict.fromkeys(IN_FLIGHT, Cancel.IN_FLIGHT),
    DispatchState.BOOKED: Cancel.FROZEN,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Cancelled:
    cancel: Cancel
    view: MeetingView


class CancelBot:
    def __init__(self, *, override: OverrideMeeting) -> None:
        self._override = override

    async def __call__(self, meeting_id: int) -> Cancelled:
        """Stop recording the meeting: its bot, if one is booked, is cancelled.

        :raises MeetingNotFound: no meeting has this id.
        """
        view = await self._override(meeting_id, "skip")
        cancel = _CANCEL.get(view.meeting.dispatch_state, Cancel.NO_BOT)
        return Cancelled(cancel=cancel, view=view)
