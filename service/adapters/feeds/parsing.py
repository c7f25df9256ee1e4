"""Where feeds are read: in a thread (tests, one-off commands) or a process pool (daemon).

Reading a feed is CPU work in pure Python: parsing and expanding its events, then judging
each occurrence under the rules. In the daemon it runs in other processes, so a sync of a
thousand calendars neither holds the event loop (dispatch timers keep firing on time) nor
uses only one core, and the daemon's process only stores what the workers hand back. The
workers run at a lower CPU priority: on a machine with few cores the daemon's own process,
the serial part of a sync and the one that fires dispatch timers, is never starved by them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from service.adapters.feeds.workers import WorkerPool
from service.core.ics import Feed, FeedLimits
from service.core.rules import RecordingRules
from service.core.sourcing import Sourced, sourced
from service.core.timing import Timing


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedJob:
    """How to read one calendar's feed: the window to expand, and whose meetings they are."""

    window_start: datetime
    window_end: datetime
    fallback_zone: str
    limits: FeedLimits
    source: str
    owner_email: str | None
    rules: RecordingRules
    now: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadSettings:
    """How every feed is read: the window around now to expand, the zone for times without
    one, the limits on what a feed may cost, the rules that judge its occurrences, and the
    timing that gives the meetings stored from it their first dispatch times (applied where
    they are stored, not where the feed is parsed)."""

    past: timedelta
    ahead: timedelta
    fallback_zone: str
    limits: FeedLimits
    rules: RecordingRules
    timing: Timing

    def job(self, *, source: str, owner_email: str | None, now: datetime) -> FeedJob:
        return FeedJob(
            window_start=now - self.past,
            window_end=now + self.ahead,
            fallback_zone=self.fallback_zone,
            limits=self.limits,
            source=source,
            owner_email=owner_email,
            rules=self.rules,
            now=now,
        )


class Parser(Protocol):
    @property
    def parallel(self) -> int:
        """Feeds worth fetching and parsing at once with this parser (at least 1)."""
        ...

    async def __call__(self, data: bytes, job: FeedJob) -> Sourced:
        """``read_feed`` somewhere else than on the event loop.

        :raises FeedError: the feed is not a calendar.
        :raises WorkerDied: the process reading it died (the others go on).
        """
        ...


class ThreadParser:
    # Threads share one core with the event loop: more than one at a time only adds contention.
    parallel = 1

    def close(self) -> None:
        """Nothing to stop: the threads are the event loop's default pool."""

    async def __call__(self, data: bytes, job: FeedJob) -> Sourced:
        return await asyncio.to_thread(read_feed, data, job)


class ProcessParser:
    """A pool of ``workers`` processes that survives the death of one (see WorkerPool)."""

    def __init__(self, workers: int) -> None:
        self._workers = WorkerPool(workers)
        # Processes run side by side, and as many again wait on the network meanwhile.
        self.parallel = 2 * workers

    async def __call__(self, data: bytes, job: FeedJob) -> Sourced:
        return await self._workers.run(read_feed, data, job)

    async def warm_up(self) -> None:
        """Start the workers now (a spawned process imports the parser: about a second)."""
        await self._workers.warm_up()

    def close(self) -> None:
        self._workers.close()


def read_feed(data: bytes, job: FeedJob) -> Sourced:
    """Parse a feed and judge its occurrences, in this thread (pure: data in, meetings out)."""
    feed = parse_here(data, job.window_start, job.window_end, job.fallback_zone, job.limits)
    return sourced(
        feed,
        source=job.source,
        owner_email=job.owner_email,
        rules=job.rules,
        now=job.now,
    )


def parse_here(
    data: bytes, start: datetime, end: datetime, fallback_zone: str, limits: FeedLimits
) -> Feed:
    """``parse_feed`` in this thread; the parser's libraries load on the first call."""
    from service.core.ics.ics import parse_feed  # here, not at the top: kept out of the daemon

    return parse_feed(
        data, window_start=start, window_end=end, fallback_zone=fallback_zone, limits=limits
    )


def make_parser(workers: int) -> ThreadParser | ProcessParser:
    return ProcessParser(workers) if workers > 0 else ThreadParser()
