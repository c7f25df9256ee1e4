"""The rate-aware planner: a dispatch time for every pending create, within the request budget.

Pure code. Each job (a create, later also a cancel) has a deadline and a preferred time. The
default policy dispatches as late as is comfortable (the preferred time, a fixed lead before
the bot joins) but pulls jobs earlier, in deadline order, exactly as far as needed so that no
window of the budget's length holds more jobs than its capacity. Jobs are spaced at least
``window / capacity`` apart, so any window holds at most ``capacity``. When the load cannot
be met, the plan says which jobs will be late and by how much.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Policy(StrEnum):
    JUST_IN_TIME = "just_in_time"
    """As late as comfortable (``min_lead`` before join), pulled earlier only for capacity."""
    AS_SOON_AS_KNOWN = "as_soon_as_known"
    """Book every bot at once, at the budget's pace: most slack against an API outage."""
    FIXED_LEAD = "fixed_lead"
    """The naive baseline: everything at ``min_lead`` before join, no smoothing (benchmarks)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """One dispatch: ``cost`` requests sent back to back (a cancel and a create are two);
    an ``urgent`` job (a change to a booked bot) wants to go now, not at its lead."""

    key: int
    deadline: datetime
    join_at: datetime
    cost: int = 1
    urgent: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Capacity:
    """At most ``per_window`` planned jobs in any window of ``window``."""

    per_window: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.per_window < 1:
            raise ValueError("capacity must allow at least one job per window")

    @property
    def spacing(self) -> timedelta:
        # Rounded up to the microsecond: rounding down would fit one job too many.
        window_us = self.window // timedelta(microseconds=1)
        return timedelta(microseconds=-(-window_us // self.per_window))


@dataclass(frozen=True, slots=True, kw_only=True)
class Late:
    key: int
    by: timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    times: dict[int, datetime]
    late: tuple[Late, ...]

    @property
    def on_time(self) -> bool:
        return not self.late


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanSettings:
    policy: Policy
    min_lead: timedelta
    capacity: Capacity


def plan_dispatches(jobs: Iterable[Job], *, now: datetime, settings: PlanSettings) -> Plan:
    """A dispatch time for each job; deterministic for equal input in any order."""
    ordered = sorted(jobs, key=lambda job: (job.deadline, job.key))
    if settings.policy is Policy.FIXED_LEAD:
        times = {job.key: max(now, job.join_at - settings.min_lead) for job in ordered}
    else:
        latest = _latest_times(ordered, now=now, settings=settings)
        times = _no_earlier_than_now(ordered, latest, now=now, spacing=settings.capacity.spacing)
    late = [
        Late(key=job.key, by=times[job.key] - job.deadline)
        for job in ordered
        if times[job.key] > job.deadline
    ]
    late.sort(key=lambda item: (-item.by, item.key))
    return Plan(times=times, late=tuple(late))


def comfortable_at(*, join_at: datetime, deadline: datetime, min_lead: timedelta) -> datetime:
    """When a create is comfortable: ``min_lead`` before its bot joins, never after its
    deadline. The one rule for it: a meeting's first dispatch time and every plan use it."""
    return min(deadline, join_at - min_lead)


def _preferred(job: Job, *, now: datetime, settings: PlanSettings) -> datetime:
    if job.urgent or settings.policy is Policy.AS_SOON_AS_KNOWN:
        return now
    return comfortable_at(join_at=job.join_at, deadline=job.deadline, min_lead=settings.min_lead)


def _latest_times(
    ordered: Sequence[Job], *, now: datetime, settings: PlanSettings
) -> list[datetime]:
    """Backward pass: from the last deadline down, each job as late as both its preferred
    time and the spacing after the next job allow. The result, aligned with ``ordered``,
    rises strictly: each time is at least one spacing before the next."""
    spacing = settings.capacity.spacing
    latest: list[datetime] = []
    following: datetime | None = None
    for job in reversed(ordered):
        at = _preferred(job, now=now, settings=settings)
        if following is not None:
            at = min(at, following - spacing * job.cost)
        latest.append(at)
        following = at
    latest.reverse()
    return latest


def _no_earlier_than_now(
    ordered: Sequence[Job], latest: Sequence[datetime], *, now: datetime, spacing: timedelta
) -> dict[int, datetime]:
    """Forward pass: what the backward pass put in the past moves to now and after, in
    deadline order (which is also the order of the latest times), pushing later jobs only
    as far as the spacing requires."""
    times: dict[int, datetime] = {}
    free_from = now
    for job, at in zip(ordered, latest, strict=True):
        at = max(at, free_from)
        times[job.key] = at
        free_from = at + spacing * job.cost
    return times
