"""The plan forecast: when waiting meetings' bots will be booked, and which will be late."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from service.core.planner import Policy
from service.core.ports import MeetingStore
from service.usecases.replan import Replanner


@dataclass(frozen=True, slots=True, kw_only=True)
class LateMeeting:
    meeting_id: int
    title: str
    late_by: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class Forecast:
    """The plan the daemon would follow now, had it replanned: nothing is written."""

    waiting: int
    policy: Policy
    creates_per_minute: int
    first_dispatch_at: datetime | None
    last_dispatch_at: datetime | None
    late_count: int
    late: tuple[LateMeeting, ...]
    """The latest ``late_limit`` first."""


class PlanForecast:
    def __init__(self, *, replanner: Replanner, meetings: MeetingStore) -> None:
        self._replanner = replanner
        self._meetings = meetings

    async def __call__(self, *, late_limit: int) -> Forecast:
        """Plan every waiting meeting as of now, within the request budget, without writing
        the plan; name at most ``late_limit`` of the meetings that would be late."""
        plan, settings = await self._replanner.preview()
        late = [
            LateMeeting(
                meeting_id=item.key,
                title=(await self._meetings.view(item.key)).meeting.title,
                late_by=item.by,
            )
            for item in plan.late[:late_limit]
        ]
        times = sorted(plan.times.values())
        return Forecast(
            waiting=len(plan.times),
            policy=settings.policy,
            creates_per_minute=settings.capacity.per_window,
            first_dispatch_at=times[0] if times else None,
            last_dispatch_at=times[-1] if times else None,
            late_count=len(plan.late),
            late=tuple(late),
        )
