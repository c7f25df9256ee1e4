"""Feeds read in worker processes give exactly what reading them in the daemon gives."""

from __future__ import annotations

import os
from datetime import timedelta

from service.adapters.feeds.parsing import ProcessParser, ThreadParser
from service.adapters.feeds.workers import WORKER_NICENESS
from service.config import Settings
from service.core.feed_reading import FeedJob, read_feed
from service.core.ics import FeedLimits
from service.core.ics.ics import parse_feed
from tests.conftest import T0
from tests.fakes.feeds import Event, ics

START, END = T0 - timedelta(days=1), T0 + timedelta(days=28)
JOB = FeedJob(
    window_start=START,
    window_end=END,
    fallback_zone="UTC",
    limits=FeedLimits(),
    source="calendar:1",
    owner_email="jane@acme.example",
    rules=Settings().rules,
    now=T0,
)


def feed_bytes() -> bytes:
    """Ten weekly series with a Zoom link, and one event without any link."""
    events = [
        Event(
            uid=f"series-{n}",
            start=T0 + timedelta(hours=2 + n),
            end=T0 + timedelta(hours=2 + n, minutes=30),
            url=f"https://acme.zoom.us/j/8123456789{n}",
            rrule="FREQ=WEEKLY;COUNT=8",
        )
        for n in range(10)
    ]
    lone = T0 + timedelta(hours=30)
    return ics([*events, Event(uid="no-link", start=lone, end=lone + timedelta(hours=1), url=None)])


async def test_a_worker_process_reads_a_feed_like_the_daemon() -> None:
    data = feed_bytes()
    expected = read_feed(data, JOB)
    parser = ProcessParser(1)
    try:
        await parser.warm_up()
        in_worker = await parser(data, JOB)
    finally:
        parser.close()
    assert in_worker == expected
    assert await ThreadParser()(data, JOB) == expected
    feed = parse_feed(data, window_start=START, window_end=END, fallback_zone="UTC")
    assert expected.occurrences == len(feed.occurrences) == 41  # 4 weeks of 10, and the lone one
    assert len(expected.meetings) == 40
    assert {item.meeting.source for item in expected.meetings} == {"calendar:1"}
    assert all(item.meeting.record for item in expected.meetings)


async def test_workers_run_at_a_lower_priority_than_the_daemon() -> None:
    parser = ProcessParser(1)
    try:
        # The pool is private; the test reads a worker's niceness through it.
        worker = await parser._workers.run(os.nice, 0)
    finally:
        parser.close()
    assert worker == min(19, os.nice(0) + WORKER_NICENESS)
