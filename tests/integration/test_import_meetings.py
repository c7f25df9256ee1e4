"""The import use case: an .ics file is parsed by the parser (never on the event loop), and
its meetings get their first dispatch times where they are stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.feeds.parsing import ThreadParser
from service.adapters.sql.meeting_store import SqlMeetingStore
from service.composition import import_meetings
from service.config import Settings
from service.core.feed_reading import FeedJob, read_feed
from service.core.ics import FeedError
from service.core.sourcing import Sourced
from tests.conftest import T0
from tests.fakes.clock import FakeClock
from tests.fakes.feeds import Event, ics

START = T0 + timedelta(hours=3)


@dataclass(slots=True, kw_only=True)
class RecordingParser:
    """Parses in a thread, and notes each job it is given."""

    jobs: list[FeedJob] = field(default_factory=list)
    parallel: int = 1

    async def __call__(self, data: bytes, job: FeedJob) -> Sourced:
        self.jobs.append(job)
        return await ThreadParser()(data, job)


async def test_an_ics_file_is_read_by_the_parser_and_planned_where_it_is_stored(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    settings = Settings()
    parser = RecordingParser()
    imports = import_meetings(settings, engine, clock, parser)
    data = ics([Event(uid="a", start=START, end=START + timedelta(minutes=30))])
    counts = await imports.ics(data, name="team.ics", owner_email="jane@acme.example")
    assert (counts.inserted, counts.updated) == (1, 0)
    [job] = parser.jobs
    assert (job.source, job.owner_email, job.now) == ("file:team.ics", "jane@acme.example", T0)
    [view] = await SqlMeetingStore(engine).views()
    join_at = START - settings.scheduler.join_lead
    assert view.meeting.join_at == join_at
    assert view.meeting.dispatch_at == join_at - settings.planner.min_lead
    assert read_feed(data, job).meetings[0].meeting.source == "file:team.ics"


async def test_a_file_that_is_not_a_calendar_stores_nothing(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    imports = import_meetings(Settings(), engine, clock, RecordingParser())
    with pytest.raises(FeedError):
        await imports.ics(b"not a calendar", name="x.ics", owner_email=None)
    assert await SqlMeetingStore(engine).views() == []
