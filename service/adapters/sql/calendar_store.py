"""SqlCalendarStore: the calendars autojoin reads, and how each one's last sync went."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.sql.engine import reading
from service.adapters.sql.source_store import drop_source
from service.adapters.sql.tables import calendars
from service.core.errors import CalendarNotFound, InputError
from service.core.feed_reading import Fetched, failed_fields, synced_fields
from service.core.model import Calendar, CalendarKind
from service.core.sourcing import Sourced


class SqlCalendarStore:
    """The ``CalendarStore`` port on the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

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
        values = {
            "name": name,
            "kind": kind.value,
            "location": location,
            "owner_email": owner_email,
            "interval_seconds": int(interval.total_seconds()),
            "created_at": now,
            "updated_at": now,
        }
        try:
            async with self._engine.begin() as conn:
                await conn.execute(insert(calendars).values(values))
        except IntegrityError:
            # Not chained: the driver's message repeats the statement's parameters, among
            # them the feed URL (a secret).
            raise InputError(f"calendar {name!r}", "a calendar with this name exists") from None
        return await self.get(name)

    async def get(self, name: str) -> Calendar:
        async with reading(self._engine) as conn:
            query = select(calendars).where(calendars.c.name == name)
            row = (await conn.execute(query)).mappings().first()
        if row is None:
            raise CalendarNotFound(name)
        return calendar_from_row(row)

    async def all(self) -> list[Calendar]:
        async with reading(self._engine) as conn:
            rows = (await conn.execute(select(calendars).order_by(calendars.c.name))).mappings()
            return [calendar_from_row(row) for row in rows]

    async def due(self, now: datetime) -> list[Calendar]:
        return [calendar for calendar in await self.all() if calendar.due(now)]

    async def remove(self, name: str, *, now: datetime, freeze: timedelta) -> int:
        async with self._engine.begin() as conn:
            query = select(calendars).where(calendars.c.name == name).with_for_update()
            row = (await conn.execute(query)).mappings().first()
            if row is None:
                raise CalendarNotFound(name)
            calendar = calendar_from_row(row)
            counts = await drop_source(conn, calendar.source, now=now, freeze=freeze)
            await conn.execute(delete(calendars).where(calendars.c.id == calendar.id))
        return counts.gone

    async def record_success(
        self, calendar_id: int, fetched: Fetched, read: Sourced | None, *, now: datetime
    ) -> None:
        await self._update(
            calendar_id, {**synced_fields(fetched, read, now=now), "updated_at": now}
        )

    async def record_failure(self, calendar_id: int, *, now: datetime, error: str) -> None:
        await self._update(calendar_id, {**failed_fields(now=now, error=error), "updated_at": now})

    async def _update(self, calendar_id: int, values: dict[str, Any]) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(calendars).where(calendars.c.id == calendar_id).values(values)
            )


def calendar_from_row(row: Any) -> Calendar:
    return Calendar(
        id=row["id"],
        name=row["name"],
        owner_email=row["owner_email"],
        kind=CalendarKind(row["kind"]),
        location=row["location"],
        interval=timedelta(seconds=row["interval_seconds"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        clip_start=row["clip_start"],
        clip_end=row["clip_end"],
        last_attempt_at=row["last_attempt_at"],
        last_success_at=row["last_success_at"],
        last_error=row["last_error"],
        event_count=row["event_count"],
        meeting_count=row["meeting_count"],
    )
