"""Jobs for worker-pool tests that die or hang on cue (stdlib only: a worker imports this).

Two jobs meet at a FIFO: opening it blocks until the other end is opened too, so the job
that then kills its own worker does so while the other job is surely running.
"""

from __future__ import annotations

import os
import select
import signal
from pathlib import Path


def die_once_met(fifo: str) -> None:
    """Wait for ``hang_once_met`` to be running, then die as the OOM killer would kill."""
    with Path(fifo).open("rb"):
        signal.raise_signal(signal.SIGKILL)


def hang_once_met(fifo: str) -> int:
    """The first time: meet ``die_once_met`` and hang until the pool stops this worker. Any
    later time: return this worker's pid at once."""
    mark = Path(f"{fifo}.met")
    if mark.exists():
        return os.getpid()
    mark.touch()
    with Path(fifo).open("wb"):
        select.select([], [], [])  # no descriptors, no timeout: until a signal ends us
    raise AssertionError("select() returned without descriptors or timeout")
