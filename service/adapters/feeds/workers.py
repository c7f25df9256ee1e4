"""WorkerPool: the processes that read feeds, replaced by a fresh pool when one of them dies.

A worker can die in the middle of a job: the OOM killer sends SIGKILL to the biggest process.
The executor then fails every job in flight with ``BrokenProcessPool`` and refuses all new
ones for good. Each worker writes on a shared board which job it is running, so when the pool
breaks, the job whose worker died on its own is told apart from the jobs that only shared the
pool (the executor stops those workers itself, with SIGTERM): the first gets ``WorkerDied``,
the others run again on the fresh pool.
"""

from __future__ import annotations

import asyncio
import ctypes
import itertools
import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from multiprocessing.sharedctypes import SynchronizedArray
from typing import Any, TypeVar

from service.core.errors import FeedUnreadable

log = logging.getLogger(__name__)
T = TypeVar("T")

WORKER_NICENESS = 10
# A job caught in a breakage its own worker did not cause runs once more on the fresh pool.
ATTEMPTS = 2
# The broken executor has already stopped its workers; joining them is quick.
AUTOPSY_TIMEOUT = timedelta(seconds=30)
# How the executor stops the workers of a broken pool; any other death is a worker's own.
STOPPED_BY_POOL = -signal.SIGTERM


class WorkerDied(FeedUnreadable):
    """The parse worker running this job died (or the pool broke under it twice)."""

    def __init__(self, exitcode: int | None) -> None:
        self.exitcode = exitcode
        what = (
            "parse workers died twice"
            if exitcode is None
            else f"parse worker died ({death(exitcode)})"
        )
        super().__init__(f"{what} while reading this calendar; retrying next interval")


def death(exitcode: int) -> str:
    """How a process ended, for people: "killed by SIGKILL: out of memory?", "exit code 1"."""
    if exitcode >= 0:
        return f"exit code {exitcode}"
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    hint = ": out of memory?" if -exitcode == signal.SIGKILL else ""
    return f"killed by {name}{hint}"


class _Pool:
    """One executor and its board: per worker, its pid and the job it runs (0: none)."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")  # not forked: the daemon has threads
        self.board: SynchronizedArray[int] = context.Array(ctypes.c_longlong, 2 * workers)
        self.executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_take_a_seat,
            initargs=(self.board,),
        )
        self.deaths: Mapping[int, int] | None = None  # job token -> exit code, once broken

    async def autopsy(self) -> tuple[dict[int, int], list[str]]:
        """Once broken: the jobs whose worker died on its own, with its exit code; and how
        every worker that died on its own (running a job or idle) ended."""
        # The executor keeps its processes private, and only they know how each one ended.
        processes = dict(self.executor._processes or {})
        try:
            async with asyncio.timeout(AUTOPSY_TIMEOUT.total_seconds()):
                await asyncio.to_thread(self.executor.shutdown, wait=True, cancel_futures=True)
        except TimeoutError:
            log.warning("the broken parse pool did not stop within %s", AUTOPSY_TIMEOUT)
        exits = {
            pid: code
            for pid, process in processes.items()
            if (code := process.exitcode) is not None and code not in (0, STOPPED_BY_POOL)
        }
        cells = self.board[:]
        deaths = {
            token: exits[pid]
            for pid, token in zip(cells[::2], cells[1::2], strict=True)
            if token and pid in exits
        }
        return deaths, sorted({death(code) for code in exits.values()})


class WorkerPool:
    """``workers`` processes at a lower CPU priority; a pool that breaks is replaced."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._pool = _Pool(workers)
        self._tokens = itertools.count(1)
        self._recovering = asyncio.Lock()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker; raises WorkerDied if the worker dies under it."""
        loop = asyncio.get_running_loop()
        for _ in range(ATTEMPTS):
            pool, token = self._pool, next(self._tokens)
            try:
                return await loop.run_in_executor(pool.executor, _run, token, fn, *args)
            except BrokenProcessPool:
                deaths = await self._recover(pool)
            if token in deaths:
                raise WorkerDied(deaths[token])
        raise WorkerDied(None)

    async def warm_up(self) -> None:
        """Start the workers now (a spawned process imports the parser: about a second)."""
        await asyncio.gather(*(self.run(_ready) for _ in range(self._workers)))

    def close(self) -> None:
        self._pool.executor.shutdown(wait=True, cancel_futures=True)

    async def _recover(self, broken: _Pool) -> Mapping[int, int]:
        # Every job in flight sees the same breakage: the first one replaces the pool and
        # raises the alert, the others wait for its findings.
        async with self._recovering:
            if broken.deaths is None:
                self._pool = _Pool(self._workers)
                broken.deaths, causes = await broken.autopsy()
                log.error(
                    "ALERT: a parse worker died (%s); the %d calendar(s) it was reading retry "
                    "next interval; a fresh pool of %d worker(s) replaces the broken one",
                    ", ".join(causes) or "stopped from outside",
                    len(broken.deaths),
                    self._workers,
                )
            return broken.deaths


# In a worker process: the board and this worker's cell for the job it runs.
_seat: tuple[SynchronizedArray[int], int] | None = None


def _take_a_seat(board: SynchronizedArray[int]) -> None:
    """Set up a worker: a lower CPU priority (when cores are short, the daemon's own process
    goes first: dispatch timers, the store) and a row on the board."""
    global _seat
    os.nice(WORKER_NICENESS)
    with board.get_lock():
        free = [cell for cell in range(0, len(board), 2) if board[cell] == 0]
        if free:
            board[free[0]] = os.getpid()
            _seat = (board, free[0] + 1)


def _run(token: int, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` with ``token`` on the board while it runs."""
    if _seat is None:
        return fn(*args)
    board, cell = _seat
    board[cell] = token
    try:
        return fn(*args)
    finally:
        board[cell] = 0


def _ready() -> bool:
    return True
