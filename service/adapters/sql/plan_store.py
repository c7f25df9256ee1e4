"""SqlPlanStore: the meetings the planner schedules, and the dispatch times it chose."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.sql.engine import reading
from service.adapters.sql.fencing import state_in
from service.adapters.sql.tables import bots, meetings
from service.core.dispatch.decisions import SCHEDULED, plan_job
from service.core.dispatch.states import DispatchState
from service.core.planner import Job

STREAM_ROWS = 2_000


class SqlPlanStore:
    """The ``PlanStore`` port on the database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def waiting(self) -> tuple[list[Job], dict[int, datetime]]:
        booked = (
            select(bots.c.meeting_id, bots.c.join_at)
            .where(bots.c.active, bots.c.mavera_id.is_not(None))
            .subquery()
        )
        query = (
            select(
                meetings.c.id,
                meetings.c.deadline,
                meetings.c.join_at,
                meetings.c.dispatch_at,
                meetings.c.dispatch_state,
                meetings.c.wanted,
                booked.c.join_at.label("booked_join_at"),
            )
            .outerjoin(booked, booked.c.meeting_id == meetings.c.id)
            .where(state_in(SCHEDULED))
        )
        jobs: list[Job] = []
        current: dict[int, datetime] = {}
        async with reading(self._engine) as conn:
            # Streamed: a hundred thousand waiting meetings are never all held as rows.
            result = await conn.stream(query, execution_options={"yield_per": STREAM_ROWS})
            async for rows in result.partitions():
                for row in rows:
                    jobs.append(_job(row))
                    current[row.id] = row.dispatch_at
        return jobs, current

    async def reschedule(self, times: Mapping[int, datetime], *, now: datetime) -> int:
        if not times:
            return 0
        statement = (
            update(meetings)
            .where(meetings.c.id == bindparam("meeting_id"))
            # Spelled out: an IN list cannot be used with executemany.
            .where(or_(*(meetings.c.dispatch_state == s.value for s in sorted(SCHEDULED))))
            .values(dispatch_at=bindparam("at"), updated_at=now)
        )
        rows = [{"meeting_id": key, "at": at} for key, at in times.items()]
        async with self._engine.begin() as conn:
            await conn.execute(statement, rows)
        return len(rows)


def _job(row: Any) -> Job:
    return plan_job(
        meeting_id=row.id,
        state=DispatchState(row.dispatch_state),
        deadline=row.deadline,
        join_at=row.join_at,
        wanted=row.wanted,
        booked_join_at=row.booked_join_at,
    )
