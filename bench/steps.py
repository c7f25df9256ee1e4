"""Steps the benchmarks share: clock helpers and waits on the simulator and the store."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from bench.db import StoreReader
from bench.procs import Child
from bench.sim import SimProcess
from bench.waiting import wait_until

BOOKED = "booked"
RUNNING = "autojoin running"


def utc_now() -> datetime:
    return datetime.now(UTC)


def whole_seconds(when: datetime) -> datetime:
    """Mavera's API carries whole seconds; meetings start on one so times match exactly."""
    return when.replace(microsecond=0) + timedelta(seconds=1)


def pending(counts: Mapping[str, int]) -> int:
    """Meetings not yet booked (waiting, claimed, ambiguous; failed ones count too)."""
    return sum(n for state, n in counts.items() if state != BOOKED)


def ensure_alive(children: Iterable[Child]) -> None:
    for child in children:
        child.ensure_alive()


async def wait_running(daemon: Child) -> None:
    """Until the daemon logs that it runs (schema checked, claims expired, scheduler started)."""

    async def check() -> tuple[bool, str]:
        daemon.ensure_alive()
        return RUNNING in daemon.log_text(), daemon.name

    await wait_until(check, what=f"{daemon.name} running", seconds=60, interval=0.05)


async def wait_creates(
    sim: SimProcess, n: int, *, seconds: float, watch: Sequence[Child] = ()
) -> int:
    """Until the simulator has created at least ``n`` bots; return how many it has."""

    async def check() -> tuple[bool, int]:
        ensure_alive(watch)
        creates = int((await sim.stats())["creates"])
        return creates >= n, creates

    return await wait_until(check, what=f"{n} bots created", seconds=seconds, interval=0.5)


async def wait_all_booked(
    reader: StoreReader, n: int, *, seconds: float, watch: Sequence[Child] = ()
) -> dict[str, int]:
    """Until all ``n`` meetings are booked in the store; return the state counts."""

    async def check() -> tuple[bool, dict[str, int]]:
        ensure_alive(watch)
        counts = await reader.state_counts()
        return counts.get(BOOKED, 0) >= n and pending(counts) == 0, counts

    return await wait_until(check, what=f"{n} meetings booked", seconds=seconds, interval=0.5)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
