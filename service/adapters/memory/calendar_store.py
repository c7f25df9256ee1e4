"""MemoryCalendarStore: the calendars autojoin reads, and how each one's last sync went."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from service.adapters.memory.rows import CalendarRow, calendar_of
from service.adapters.memory.source_store import apply_source
from service.adapters.memory.state import MemoryState
from service.adapters.memory.tables import Conflict
from service.core.errors import CalendarNotFound, InputError
from service.core.feed_reading import Fetched, failed_fields, synced_fields
from service.core.model import Calendar, CalendarKind
from service.core.sourcing import Sourced, SourceMeetings


class MemoryCalendarStore:
    """The ``CalendarStore`` port on a ``MemoryState``."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def add(
        self,
        *,
        name: str,
        kind: CalendarKind,
        location: str,
        owner_email: str | None,
        interval: timedelta,
        now: datetime,
    ) -> Calendar:
        row = CalendarRow(
            id=self._state.next_id(self._state.calendars),
            name=name,
            kind=kind,
            location=location,
            owner_email=owner_email,
            interval_seconds=int(interval.total_seconds()),
            created_at=now,
            updated_at=now,
        )
        try:
            with self._state.transaction() as state:
                state.calendars.insert(row)
        except Conflict:
            raise InputError(f"calendar {name!r}", "a calendar with this name exists") from None
        return calendar_of(row)

    async def get(self, name: str) -> Calendar:
        row = self._state.calendars.find("name", name)
        if row is None:
            raise CalendarNotFound(name)
        return calendar_of(row)

    async def all(self) -> list[Calendar]:
        return sorted(map(calendar_of, self._state.calendars), key=lambda c: c.name)

    async def due(self, now: datetime) -> list[Calendar]:
        return [calendar for calendar in await self.all() if calendar.due(now)]

    async def remove(self, name: str, *, now: datetime, freeze: timedelta) -> int:
        with self._state.transaction() as state:
            row = state.calendars.find("name", name)
            if row is None:
                raise CalendarNotFound(name)
            source = calendar_of(row).source
            counts = apply_source(state, SourceMeetings.gone(source), now=now, freeze=freeze)
            state.calendars.delete(row.id)
        return counts.gone

    async def record_success(
        self, calendar_id: int, fetched: Fetched, read: Sourced | None, *, now: datetime
    ) -> None:
        self._update(calendar_id, {**synced_fields(fetched, read, now=now), "updated_at": now})

    async def record_failure(self, calendar_id: int, *, now: datetime, error: str) -> None:
        self._update(calendar_id, {**failed_fields(now=now, error=error), "updated_at": now})

    def _update(self, calendar_id: int, values: dict[str, Any]) -> None:
        with self._state.transaction() as state:
            row = state.calendars.get(calendar_id)
            if row is not None:
                state.calendars.put(replace(row, **values))
