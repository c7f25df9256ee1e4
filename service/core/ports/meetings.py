"""The meeting ports: sources bring meetings in (``SourceStore``); people look at them,
override the rules and retry a failed dispatch (``MeetingStore``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from service.core.model import Bot, MeetingView
from service.core.sourcing import ApplyCounts, SourceMeetings


class SourceStore(Protocol):
    """One source's meetings in; one meeting per real call, whatever the source (see
    ``SqlSourceStore``); no method raises but what the store fails with (see the package)."""

    async def apply(self, incoming: SourceMeetings, *, now: datetime) -> ApplyCounts:
        """Bring the store in line with what the source says, all or nothing.

        Each meeting is found (this source's row, the same occurrence from another source,
        the same call) or created; only a change at least as new (SEQUENCE) as the meeting
        updates it. The source's rows that ``incoming`` no longer holds and that start inside
        its window are gone; with no window (a partial source: an import) nothing is.
        Every meeting touched is settled again: whether a bot is wanted, booked or stale.
        """
        ...


class MeetingStore(Protocol):
    """Meeting views out (list, explain), the manual override and an operator's retry in (see
    ``SqlMeetingStore``); besides what is listed, every method raises what the store fails
    with while it cannot be reached (see the package)."""

    async def views(
        self, *, starting_after: datetime | None = None, limit: int = 1000
    ) -> list[MeetingView]:
        """Up to ``limit`` meetings by start time (only those that end after
        ``starting_after``, if given), each with its current or latest booking."""
        ...

    async def view(self, meeting_id: int) -> MeetingView:
        """One meeting with its booking, that booking's status history, its sources and its
        events.

        :raises MeetingNotFound: no meeting has this id.
        """
        ...

    async def bookings(self, meeting_id: int) -> list[Bot]:
        """Every booking the meeting has had, oldest first: the current one, closed ones and
        the duplicates recorded to be cancelled (none for an unknown meeting)."""
        ...

    async def set_override(
        self, meeting_id: int, override: str | None, *, now: datetime, freeze: timedelta
    ) -> MeetingView:
        """Record (``"record"``) or skip (``"skip"``) this meeting whatever the rules say, or
        go back to the rules (None); noted on the meeting, settled at once; the new view.

        :raises ValueError: ``override`` is none of those.
        :raises MeetingNotFound: no meeting has this id.
        """
        ...

    async def retry_failed(
        self, meeting_id: int, *, now: datetime, freeze: timedelta
    ) -> MeetingView:
        """Dispatch a failed meeting again (``retried``: it waits, due at once), then settle
        it like any change (skipped if no bot is wanted any more); the new view. The
        dispatcher claims it within the request budget, like any other.

        :raises MeetingNotFound: no meeting has this id.
        :raises DispatchNotFailed: the meeting's dispatch has not failed.
        """
        ...
