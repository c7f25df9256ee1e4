"""MemoryPlanStore: the meetings the planner schedules, and the dispatch times it chose."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from service.adapters.memory.state import MemoryState
from service.core.dispatch.decisions import SCHEDULED, plan_job
from service.core.planner import Job


class MemoryPlanStore:
    """The ``PlanStore`` port on a ``MemoryState``."""

    def __init__(self, state: MemoryState) -> None:
        self._state = state

    async def waiting(self) -> tuple[list[Job], dict[int, datetime]]:
        jobs: list[Job] = []
        current: dict[int, datetime] = {}
        for row in self._state.meetings:
            if row.dispatch_state not in SCHEDULED:
                continue
            booked = self._state.bots.find("active_meeting", row.id)
            jobs.append(
                plan_job(
                    meeting_id=row.id,
                    state=row.dispatch_state,
                    deadline=row.deadline,
                    join_at=row.join_at,
                    wanted=row.wanted,
                    booked_join_at=booked.join_at if booked and booked.mavera_id else None,
                )
            )
            current[row.id] = row.dispatch_at
        return jobs, current

    async def reschedule(self, times: Mapping[int, datetime], *, now: datetime) -> int:
        with self._state.transaction() as state:
            for meeting_id, at in times.items():
                row = state.meetings.get(meeting_id)
                if row is not None and row.dispatch_state in SCHEDULED:
                    state.meetings.put(replace(row, dispatch_at=at, updated_at=now))
        return len(times)
