"""MemoryMeetingStore: meeting views out (list, explain), and the manual override in."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from service.adapters.memory.rows import bot_of, change_of, event_of, meeting_of, source_of
from service.adapters.memory.state import MemoryState
from service.adapters.memory.wishes import settle_wishes
from service.core.dispatch.decisions import check_override, retried
from service.core.dispatch.notes import override_note
from service.core.errors import MeetingNotFound
from service.core.model import Bot, MeetingView


class MemoryMeetingStore:
    """The ``MeetingStore`` port on a ``MemoryState``."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def views(
        self, *, starting_after: datetime | None = None, limit: int = 1000
    ) -> list[MeetingView]:
        rows = [
            row
            for row in self._state.meetings
            if starting_after is None or row.end_at > starting_after
        ]
        rows.sort(key=lambda row: (row.start_at, row.id))
        return [
            MeetingView(meeting=meeting_of(row), bot=self._latest_bot(row.id))
            for row in rows[:limit]
        ]

    async def view(self, meeting_id: int) -> MeetingView:
        state = self._state
        row = state.meetings.get(meeting_id)
        if row is None:
            raise MeetingNotFound(meeting_id)
        bot = self._latest_bot(meeting_id)
        history = state.changes.group("bot_id", bot.id) if bot is not None else []
        return MeetingView(
            meeting=meeting_of(row),
            bot=bot,
            history=tuple(change_of(change) for change in history),
            sources=tuple(
                source_of(source) for source in state.sources.group("meeting_id", row.id)
            ),
            events=tuple(event_of(event) for event in state.events.group("meeting_id", row.id)),
        )

    async def bookings(self, meeting_id: int) -> list[Bot]:
        return [bot_of(row) for row in self._state.bots.group("meeting_id", meeting_id)]

    async def set_override(
        self, meeting_id: int, override: str | None, *, now: datetime, freeze: timedelta
    ) -> MeetingView:
        check_override(override)
        with self._state.transaction() as state:
            row = state.meetings.get(meeting_id)
            if row is None:
                raise MeetingNotFound(meeting_id)
            state.meetings.put(replace(row, override=override, updated_at=now))
            state.note(meeting_id, now, *override_note(override))
            settle_wishes(state, [meeting_id], changed=(), now=now, freeze=freeze)
        return await self.view(meeting_id)

    async def retry_failed(
        self, meeting_id: int, *, now: datetime, freeze: timedelta
    ) -> MeetingView:
        with self._state.transaction() as state:
            row = state.meetings.get(meeting_id)
            if row is None:
                raise MeetingNotFound(meeting_id)
            before = row.dispatch_state
            after = retried(meeting_id, before)
            state.meetings.put(replace(row, dispatch_state=after, dispatch_at=now, updated_at=now))
            state.note(meeting_id, now, "retry", "a new dispatch was asked for")
            state.note(meeting_id, now, "state", f"{before.value} -> {after.value}")
            settle_wishes(state, [meeting_id], changed=[meeting_id], now=now, freeze=freeze)
        return await self.view(meeting_id)

    def _latest_bot(self, meeting_id: int) -> Bot | None:
        """The active booking of the meeting, else its most recent one."""
        rows = self._state.bots.group("meeting_id", meeting_id)
        if not rows:
            return None
        return bot_of(max(rows, key=lambda row: (row.active, row.id)))
