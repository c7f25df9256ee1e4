"""Factories for meetings and planned meetings, so each test states only what matters to it."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from service.composition import import_meetings
from service.config import Settings
from service.core.model import MeetingInput, Platform
from service.core.ports import Clock, SourceStore
from service.core.sourcing import ApplyCounts, SourceMeetings
from service.core.timing import PlannedMeeting, Timing, dispatch_times

_ids = count(1)
TIMING = Timing(
    join_lead=timedelta(seconds=60),
    min_lead=timedelta(minutes=10),
    deadline_margin=timedelta(0),
)


def make_meeting(
    *,
    start_at: datetime,
    minutes: int = 30,
    key: str | None = None,
    title: str = "Pipeline review",
    meeting_url: str | None = None,
    source: str = "json",
) -> MeetingInput:
    n = next(_ids)
    return MeetingInput(
        source=source,
        source_key=key or f"uid-{n}",
        title=title,
        meeting_url=meeting_url or f"https://acme.zoom.us/j/{81000000000 + n}",
        platform=Platform.ZOOM,
        start_at=start_at,
        end_at=start_at + timedelta(minutes=minutes),
        organizer="jane@acme.example",
        attendees=("jane@acme.example", "bob@globex.example"),
    )


def make_planned(meeting: MeetingInput) -> PlannedMeeting:
    return PlannedMeeting(
        meeting=meeting,
        times=dispatch_times(meeting.start_at, TIMING),
    )


def planned(*, start_at: datetime, **kwargs: object) -> PlannedMeeting:
    return make_planned(make_meeting(start_at=start_at, **kwargs))  # type: ignore[arg-type]


async def upsert(
    sources: SourceStore, items: list[PlannedMeeting], *, now: datetime, source: str = "json"
) -> ApplyCounts:
    """Store meetings the way an import does (a partial source: nothing vanishes)."""
    return await sources.apply(SourceMeetings(source=source, planned=items, window=None), now=now)


async def import_rows(
    settings: Settings, engine: AsyncEngine, rows: Any, clock: Clock
) -> ApplyCounts:
    """Import a JSON list of meetings the way `autojoin import` does, on an open engine."""
    return await import_meetings(settings, engine, clock).json(rows)
