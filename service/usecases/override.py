"""Overriding the rules for one meeting: record it, skip it, or hand it back to the rules."""

from __future__ import annotations

from datetime import timedelta

from service.core.model import MeetingView
from service.core.ports import Clock, MeetingStore


class OverrideMeeting:
    def __init__(self, *, meetings: MeetingStore, clock: Clock, freeze: timedelta) -> None:
        self._meetings = meetings
        self._clock = clock
        self._freeze = freeze

    async def __call__(self, meeting_id: int, choice: str | None) -> MeetingView:
        """Record (``"record"``) or skip (``"skip"``) the meeting whatever the rules say, or
        let the rules decide again (None); the meeting as it stands after.

        A booked bot no longer wanted is cancelled, and a wanted meeting booked, by the
        dispatcher within the request budget (inside the freeze window a booked bot stays).
        No choice beats a structural reason: a cancelled, vanished or finished meeting.

        :raises MeetingNotFound: no meeting has this id.
        :raises ValueError: ``choice`` is none of those (``decisions.OVERRIDES``).
        """
        return await self._meetings.set_override(
            meeting_id, choice, now=self._clock.now(), freeze=self._freeze
        )
