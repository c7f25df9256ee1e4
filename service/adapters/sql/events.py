"""Meeting events: one line per thing that happened to a meeting, for `meetings explain`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from service.adapters.sql.tables import meeting_events


async def note(
    conn: AsyncConnection, meeting_id: int, now: datetime, kind: str, detail: str
) -> None:
    await conn.execute(
        insert(meeting_events).values(meeting_id=meeting_id, at=now, kind=kind, detail=detail)
    )
