"""Pure dispatch decisions: when a meeting's bot is booked, and whether it is still worth it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from service.core.model import MeetingInput
from service.core.planner import comfortable_at


@dataclass(frozen=True, slots=True, kw_only=True)
class DispatchTimes:
    join_at: datetime
    dispatch_at: datetime
    deadline: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Timing:
    """The bot joins ``join_lead`` before the start; its create is due ``min_lead`` before
    that (the planner may pull it earlier) and must go out ``deadline_margin`` before it."""

    join_lead: timedelta
    min_lead: timedelta
    deadline_margin: timedelta


def dispatch_times(start_at: datetime, timing: Timing) -> DispatchTimes:
    """When a meeting's bot joins, is first due to be booked, and must be booked by.

    A create sent after the deadline still works (Mavera joins at once when ``join_at`` is
    in the past) but the bot is late.
    """
    join_at = start_at - timing.join_lead
    deadline = join_at - timing.deadline_margin
    dispatch_at = comfortable_at(join_at=join_at, deadline=deadline, min_lead=timing.min_lead)
    return DispatchTimes(join_at=join_at, dispatch_at=dispatch_at, deadline=deadline)


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedMeeting:
    """A meeting from a source together with the dispatch times the planner gave it."""

    meeting: MeetingInput
    times: DispatchTimes
    # False: only update a meeting the store already has (a cancelled or finished
    # occurrence must not create one).
    may_create: bool = True


class Verdict(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    TOO_LATE = "too_late"


def dispatch_verdict(*, join_at: datetime, end_at: datetime, now: datetime) -> Verdict:
    """Whether a create sent ``now`` is on time, late but useful, or pointless."""
    if now >= end_at:
        return Verdict.TOO_LATE
    return Verdict.ON_TIME if now <= join_at else Verdict.LATE


def frozen(booked_join_at: datetime | None, *, now: datetime, freeze: timedelta) -> bool:
    """Inside the freeze window before the join, a booked bot is left alone."""
    return booked_join_at is not None and now >= booked_join_at - freeze
