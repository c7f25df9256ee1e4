"""Where feeds are read (the ``FeedParser`` port): in a thread (tests, one-off commands) or a
process pool (daemon); what reading does is ``core.feed_reading.read_feed``.

Reading a feed is CPU work in pure Python: parsing and expanding its events, then judging
each occurrence under the rules. In the daemon it runs in other processes, so a sync of a
thousand calendars neither holds the event loop (dispatch timers keep firing on time) nor
uses only one core, and the daemon's process only stores what the workers hand back. The
workers run at a lower CPU priority: on a machine with few cores the daemon's own process,
the serial part of a sync and the one that fires dispatch timers, is never starved by them.
"""

from __future__ import annotations

import asyncio

from service.adapters.feeds.workers import WorkerPool
from service.core.feed_reading import FeedJob, read_feed
from service.core.sourcing import Sourced


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


def make_parser(workers: int) -> ThreadParser | ProcessParser:
    return ProcessParser(workers) if workers > 0 else ThreadParser()
