"""MemoryTrackingStore: which bots to read next, and every status change observed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from service.adapters.memory.rows import BotRow, bot_of
from service.adapters.memory.state import MemoryState
from service.core.dispatch.notes import state_note
from service.core.dispatch.states import DispatchEvent, sources, transition
from service.core.model import NOT_FOUND, Bot, Observed, found_fields, not_found_fields

# A lost bot fails its meeting only while the meeting is booked with it.
[LOSES_BOT] = sources(DispatchEvent.LOST)


class MemoryTrackingStore:
    """The ``TrackingStore`` port on a ``MemoryState``."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def due_for_check(self, *, now: datetime, limit: int) -> list[Bot]:
        due = [
            row
            for row in self._state.bots
            if row.mavera_id is not None and row.next_check_at is not None
            if row.next_check_at <= now
        ]
        due.sort(key=lambda row: (row.next_check_at, row.id))
        return [bot_of(row) for row in due[:limit]]

    async def tracked(self, mavera_ids: Sequence[str]) -> dict[str, Bot]:
        found: dict[str, Bot] = {}
        for mavera_id in mavera_ids:
            row = self._state.bots.find("mavera_id", mavera_id)
            if row is not None and row.next_check_at is not None:
                found[mavera_id] = bot_of(row)
        return found

    async def count_created_since(self, since: datetime) -> int:
        return sum(
            1
            for row in self._state.bots
            if row.mavera_id is not None and row.requested_at is not None
            if row.requested_at >= since
        )

    async def record_observations(self, observed: Sequence[Observed], *, now: datetime) -> None:
        if not observed:
            return
        with self._state.transaction() as state:
            for item in observed:
                row = state.bots.get(item.bot_id)
                if row is None:
                    continue
                if item.changed:
                    row = replace(row, status=item.status, status_changed_at=now)
                state.bots.put(replace(row, next_check_at=item.next_check_at, updated_at=now))
            for item in observed:
                if item.changed:
                    state.add_change(item.bot_id, item.status, now)

    async def record_missing(
        self, bot_id: int, *, now: datetime, retry_at: datetime, message: str
    ) -> None:
        with self._state.transaction() as state:
            _mark(state, bot_id, now=now, next_check_at=retry_at, message=message)

    async def record_found(self, bot_ids: Sequence[int], *, now: datetime) -> None:
        with self._state.transaction() as state:
            for bot_id in bot_ids:
                row = state.bots.get(bot_id)
                if row is not None and row.last_error_code == NOT_FOUND:
                    state.bots.put(replace(row, **found_fields(now)))

    async def record_lost(self, bot_id: int, *, now: datetime, message: str) -> bool:
        with self._state.transaction() as state:
            row = _mark(state, bot_id, now=now, next_check_at=None, message=message)
            if row is None:
                raise LookupError(f"no bot with id {bot_id}")
            state.note(row.meeting_id, now, "lost", message)
            meeting = state.meetings.get(row.meeting_id)
            if not row.active or meeting is None or meeting.dispatch_state is not LOSES_BOT:
                return False
            after = transition(LOSES_BOT, DispatchEvent.LOST)
            state.meetings.put(
                replace(meeting, dispatch_state=after, last_error=message, updated_at=now)
            )
            state.bots.put(replace(row, active=False))
            state.note(row.meeting_id, now, *state_note(LOSES_BOT, after))
            return True


def _mark(
    state: MemoryState, bot_id: int, *, now: datetime, next_check_at: datetime | None, message: str
) -> BotRow | None:
    """Mark the bot as not found by Mavera, to be read again at ``next_check_at`` (if any)."""
    row = state.bots.get(bot_id)
    if row is None:
        return None
    row = replace(row, **not_found_fields(message, next_check_at=next_check_at, now=now))
    state.bots.put(row)
    return row
