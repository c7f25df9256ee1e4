"""Parse workers that die: the pool is replaced, the job that was running is told apart."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from service.adapters.feeds.parsing import ProcessParser
from service.adapters.feeds.workers import WorkerDied, WorkerPool
from service.core.feed_reading import read_feed
from tests.fakes.workers import die_once_met, hang_once_met
from tests.integration.test_parsing import JOB, feed_bytes

KILLED = "parse worker died (killed by SIGKILL: out of memory?) while reading this calendar"


def alerts(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("ALERT:")]


async def test_a_worker_killed_by_sigkill_is_replaced_and_the_next_parse_works(
    caplog: pytest.LogCaptureFixture,
) -> None:
    data = feed_bytes()
    parser = ProcessParser(1)
    try:
        await parser.warm_up()
        # The executor keeps its processes private; the test kills one as the OOM killer would.
        [worker] = parser._workers._pool.executor._processes.values()
        os.kill(worker.pid or 0, signal.SIGKILL)
        assert await parser(data, JOB) == read_feed(data, JOB)
        assert await parser(data, JOB) == read_feed(data, JOB)
        # The dead pool's processes are gone; only the fresh pool's one worker is left.
        assert (worker.is_alive(), worker.exitcode) == (False, -signal.SIGKILL)
        assert len(multiprocessing.active_children()) == 1
    finally:
        parser.close()
    assert multiprocessing.active_children() == []
    assert alerts(caplog) == [
        "ALERT: a parse worker died (killed by SIGKILL: out of memory?); the 0 calendar(s) it "
        "was reading retry next interval; a fresh pool of 1 worker(s) replaces the broken one"
    ]


async def test_only_the_job_whose_worker_died_is_blamed_the_others_run_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fifo = tmp_path / "meet"
    os.mkfifo(fifo)
    pool = WorkerPool(2)
    try:
        await pool.warm_up()  # both workers up: the two jobs below run side by side
        died, hung = await asyncio.gather(
            pool.run(die_once_met, str(fifo)),
            pool.run(hang_once_met, str(fifo)),
            return_exceptions=True,
        )
        assert isinstance(died, WorkerDied)
        assert str(died) == f"{KILLED}; retrying next interval"
        assert isinstance(hung, int)  # run again, on the fresh pool
        assert await pool.run(read_feed, feed_bytes(), JOB) == read_feed(feed_bytes(), JOB)
    finally:
        pool.close()
    assert multiprocessing.active_children() == []
    assert alerts(caplog) == [
        "ALERT: a parse worker died (killed by SIGKILL: out of memory?); the 1 calendar(s) it "
        "was reading retry next interval; a fresh pool of 2 worker(s) replaces the broken one"
    ]
