"""MemoryStore: every memory store over one ``MemoryState``, as the SQL stores share one
engine, plus helpers that let a test look inside (like procrastinate's InMemoryConnector)."""

from __future__ import annotations

from datetime import datetime, timedelta

from service.adapters.memory.budget import MemoryBudget
from service.adapters.memory.calendar_store import MemoryCalendarStore
from service.adapters.memory.dispatch_store import MemoryDispatchStore
from service.adapters.memory.leases import MemoryLeases
from service.adapters.memory.meeting_store import MemoryMeetingStore
from service.adapters.memory.plan_store import MemoryPlanStore
from service.adapters.memory.rows import bot_of, event_of, meeting_of
from service.adapters.memory.source_store import MemorySourceStore
from service.adapters.memory.state import MemoryState
from service.adapters.memory.tracking_store import MemoryTrackingStore
from service.core.model import Bot, Meeting, MeetingEvent
from service.core.ports import Clock


class MemoryStore:
    """The store of one test (or one demo): build each port from it; they share its state."""

    def __init__(self, *, freeze: timedelta = timedelta(minutes=5)) -> None:
        self.state = MemoryState()
        self.freeze = freeze
        self.meetings = MemoryMeetingStore(self.state)
        self.sources = MemorySourceStore(self.state, freeze=freeze)
        self.calendars = MemoryCalendarStore(self.state)
        self.plans = MemoryPlanStore(self.state)
        self.tracking = MemoryTrackingStore(self.state)

    def dispatch(self, worker_id: str = "w") -> MemoryDispatchStore:
        """The dispatch store of one worker (claims carry its id)."""
        return MemoryDispatchStore(self.state, worker_id=worker_id)

    def leases(self, holder: str) -> MemoryLeases:
        return MemoryLeases(self.state, holder=holder)

    async def budget(
        self, *, key_id: str, limit: int, read_share: float, clock: Clock
    ) -> MemoryBudget:
        """A replica's view of the key's shared budget, registered."""
        budget = MemoryBudget(
            self.state, key_id=key_id, limit=limit, read_share=read_share, clock=clock
        )
        await budget.register()
        return budget

    # Inspection: what a test may want to see without going through a port.

    def all_meetings(self) -> list[Meeting]:
        """Every meeting, by id."""
        return [meeting_of(row) for row in self.state.meetings]

    def bookings(self, meeting_id: int | None = None) -> list[Bot]:
        """Every booking (of one meeting, if given), by id: closed ones and duplicates too."""
        rows = (
            self.state.bots
            if meeting_id is None
            else self.state.bots.group("meeting_id", meeting_id)
        )
        return [bot_of(row) for row in rows]

    def events(self, meeting_id: int) -> list[MeetingEvent]:
        return [event_of(row) for row in self.state.events.group("meeting_id", meeting_id)]

    def claimed_by(self, meeting_id: int) -> tuple[str | None, datetime | None]:
        """(worker id, lease end) of the claim on the meeting, if one holds it."""
        row = self.state.meetings.get(meeting_id)
        return (None, None) if row is None else (row.claimed_by, row.lease_until)
