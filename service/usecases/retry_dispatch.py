"""Retrying a failed dispatch on an operator's word (the HTTP API's retry).

The meeting waits again, due at once; the dispatcher claims it within the request budget
and books its bot exactly once, like any other (a meeting already over fails again as too
late, without a request).
"""

from __future__ import annotations

from datetime import timedelta

from service.core.model import MeetingView
from service.core.ports import Clock, MeetingStore


class RetryDispatch:
    def __init__(self, *, meetings: MeetingStore, clock: Clock, freeze: timedelta) -> None:
        self._meetings = meetings
        self._clock = clock
        self._freeze = freeze

    async def __call__(self, meeting_id: int) -> MeetingView:
        """Dispatch the failed meeting again; the meeting as it stands after (waiting, or
        skipped if it no longer wants a bot).

        :raises MeetingNotFound: no meeting has this id.
        :raises DispatchNotFailed: the meeting's dispatch has not failed.
        """
        return await self._meetings.retry_failed(
            meeting_id, now=self._clock.now(), freeze=self._freeze
        )
