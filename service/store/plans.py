"""SqlPlanStore: the meetings the planner schedules, and the dispatch times it chose."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from service.model import DispatchState
from service.planner import Job
from service.store.engine import reading
from service.store.tables import meetings

WAITING = DispatchState.WAITING.value


class SqlPlanStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def waiting(self) -> tuple[list[Job], dict[int, datetime]]:
        """Every meeting still waiting for its create, and its current dispatch time."""
        query = select(
            meetings.c.id, meetings.c.deadline, meetings.c.join_at, meetings.c.dispatch_at
        ).where(meetings.c.dispatch_state == WAITING)
        jobs: list[Job] = []
        current: dict[int, datetime] = {}
        async with reading(self._engine) as conn:
            for row in await conn.execute(query):
                jobs.append(Job(key=row.id, deadline=row.deadline, join_at=row.join_at))
                current[row.id] = row.dispatch_at
        return jobs, current

    async def reschedule(self, times: Mapping[int, datetime], *, now: datetime) -> int:
        """Write new dispatch times, only to meetings that are still waiting."""
        if not times:
            return 0
        statement = (
            update(meetings)
            .where(meetings.c.id == bindparam("meeting_id"))
            .where(meetings.c.dispatch_state == WAITING)
            .values(dispatch_at=bindparam("at"), updated_at=now)
        )
        rows = [{"meeting_id": key, "at": at} for key, at in times.items()]
        async with self._engine.begin() as conn:
            await conn.execute(statement, rows)
        return len(rows)
