"""Replanner: recomputes every waiting meeting's dispatch time within the request budget."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.core.conditions import PLAN_LATE
from service.core.planner import Capacity, Plan, PlanSettings, Policy, plan_dispatches
from service.core.ports import Alerts, Clock, PlanStore, RequestBudget
from service.core.sliding_window import WINDOW


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplanSettings:
    policy: Policy
    min_lead: timedelta
    read_share: float
    # A meeting already due stays due: moving it a little later gains nothing, since the
    # dispatcher takes due meetings in deadline order at the budget's pace anyway.
    due_slack: timedelta = timedelta(seconds=30)


class Replanner:
    def __init__(
        self,
        *,
        store: PlanStore,
        budget: RequestBudget,
        clock: Clock,
        settings: ReplanSettings,
        alerts: Alerts,
    ) -> None:
        self._store = store
        self._budget = budget
        self._clock = clock
        self._settings = settings
        self._alerts = alerts

    async def preview(self) -> tuple[Plan, PlanSettings]:
        """The plan for every waiting meeting as of now, without writing it."""
        jobs, _ = await self._store.waiting()
        plan_settings = self.plan_settings(await self._budget.requests_per_minute())
        return plan_dispatches(jobs, now=self._clock.now(), settings=plan_settings), plan_settings

    async def replan(self) -> Plan:
        now = self._clock.now()
        jobs, current = await self._store.waiting()
        rpm = await self._budget.requests_per_minute()
        plan = plan_dispatches(jobs, now=now, settings=self.plan_settings(rpm))
        changed = changed_times(plan.times, current, now=now, slack=self._settings.due_slack)
        await self._store.reschedule(changed, now=now)
        # Replans run every interval: a lasting overload is one condition, not a line each.
        if plan.late:
            worst = plan.late[0]
            cause = (
                f"{len(plan.late)} meetings cannot get their bot before the deadline at {rpm} "
                f"requests/min (worst: meeting {worst.key}, {worst.by.total_seconds():.0f} s late)"
            )
            self._alerts.failed(PLAN_LATE, cause)
        else:
            self._alerts.succeeded(PLAN_LATE)
        return plan

    def plan_settings(self, requests_per_minute: int) -> PlanSettings:
        creates = max(1, math.floor(requests_per_minute * (1 - self._settings.read_share)))
        return PlanSettings(
            policy=self._settings.policy,
            min_lead=self._settings.min_lead,
            capacity=Capacity(per_window=creates, window=WINDOW),
        )


def changed_times(
    planned: Mapping[int, datetime],
    current: Mapping[int, datetime],
    *,
    now: datetime,
    slack: timedelta,
) -> dict[int, datetime]:
    """Only the dispatch times worth writing."""
    changed: dict[int, datetime] = {}
    for key, at in planned.items():
        before = current.get(key)
        if before == at or (before is not None and before <= now and at <= now + slack):
            continue
        changed[key] = at
    return changed
