"""Outages are told in a few lines: the database down, Mavera down, the account refused.

Each test counts the lines the whole daemon logs while the outage lasts and after it ends.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.clock import SystemClock
from service.adapters.sql.engine import make_engine
from service.composition import Daemon
from service.config import Settings
from service.core.ports import Clock
from service.simulator import Faults
from tests.conftest import T0
from tests.factories import import_rows
from tests.fakes.clock import FakeClock
from tests.integration.world import FAST, SETTINGS, daemon_on, dispatch_all, rows, world

CLOSED = "http://127.0.0.1:9/api/v1"  # the discard port: nothing listens on loopback


QUIET = ("service.simulator", "apscheduler")  # the simulator; APScheduler's INFO, as the CLI
RATE_NOTICE = "Mavera reports 600 requests/minute for this key; using it"  # simulator's rpm


def shown(caplog: pytest.LogCaptureFixture, level: int = logging.INFO) -> list[str]:
    """What an operator sees at ``level`` from autojoin."""
    return [
        f"{r.levelname} {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= level and not r.name.startswith(QUIET) and r.getMessage() != RATE_NOTICE
    ]


@asynccontextmanager
async def sqlite_daemon(
    template: Path, tmp_path: Path, clock: Clock, settings: Settings = SETTINGS
) -> AsyncIterator[tuple[Daemon, Path]]:
    path = tmp_path / "autojoin.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        async with aiohttp.ClientSession() as session:
            daemon = await daemon_on(engine, clock, settings, base_url=CLOSED, session=session)
            yield daemon, path
    finally:
        await engine.dispose()


async def take_away(daemon: Daemon, path: Path) -> None:
    """The file goes; new connections open a new, empty database ("no such table")."""
    os.rename(path, path.with_suffix(".away"))
    await daemon.engine.dispose()


async def bring_back(daemon: Daemon, path: Path) -> None:
    await daemon.engine.dispose()
    os.replace(path.with_suffix(".away"), path)


async def test_a_database_outage_is_one_alert_and_one_recovery_line(
    sqlite_template: Path, tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with sqlite_daemon(sqlite_template, tmp_path, clock) as (daemon, path):
        await take_away(daemon, path)
        for _ in range(120):  # ten minutes of 5-second ticks
            await daemon.runner.dispatch_pass()
            clock.advance(5)
        await bring_back(daemon, path)
        await daemon.runner.dispatch_pass()
    assert [r.exc_info for r in caplog.records] == [None] * len(caplog.records)
    assert shown(caplog) == [
        "ERROR ALERT: database unavailable: no such table: meetings (1 failure)",
        # Two failures a tick: the dispatch pass and the timers after it.
        "ERROR ALERT: database unavailable, still: no such table: meetings "
        "(120 more since 2026-11-23T08:00:00Z; 121 failures since 2026-11-23T08:00:00Z)",
        "WARNING database unavailable: recovered after 10m00s (240 failures)",
    ]


async def test_under_a_real_scheduler_an_outage_logs_no_traceback_and_nothing_from_apscheduler(
    sqlite_template: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fast = Settings.model_validate(
        {"scheduler": {"tick_seconds": 0.02}, "tracking": {"tick_seconds": 0.02}}
    )
    async with sqlite_daemon(sqlite_template, tmp_path, SystemClock(), fast) as (daemon, path):
        os.remove(path)
        daemon.runner.start()
        try:
            async with asyncio.timeout(5):
                while not [r for r in caplog.records if r.levelno >= logging.ERROR]:  # noqa: ASYNC110
                    await asyncio.sleep(0.02)
                await asyncio.sleep(0.3)  # many more ticks, each failing
        finally:
            await daemon.runner.stop()
    # Passes that run side by side open new connections, which find a new, empty file;
    # whichever notices first names the cause.
    [alert] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert alert.startswith("ALERT: database unavailable: ")
    assert alert.endswith(" (1 failure)")
    assert [r for r in caplog.records if r.exc_info] == []


async def test_a_mavera_outage_is_one_warning_and_one_recovery_line(
    engine: AsyncEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with world(engine, clock, SETTINGS, durations=FAST, faults=Faults(error_rate=1.0)) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(3, start=T0 + timedelta(minutes=5)), clock
        )
        await dispatch_all(w)  # every create is answered 500/503
        for _ in range(24):  # two minutes: reconciliation lists fail too
            clock.advance(5)
            await dispatch_all(w)
            await w.daemon.tracker.refresh_due()
        w.sim.state.faults = Faults()
        clock.advance(60)
        await dispatch_all(w)
    warnings = shown(caplog, logging.WARNING)
    assert len(warnings) == 1
    assert warnings[0].startswith("WARNING Mavera API failing: HTTP 50")
    assert "(POST /meetings)" in warnings[0]
    recovered = [line for line in shown(caplog) if "recovered" in line]
    assert len(recovered) == 1
    assert recovered[0].startswith("INFO Mavera API failing: recovered after ")


async def test_an_unreachable_mavera_is_visible_at_info(
    sqlite_template: Path, tmp_path: Path, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with sqlite_daemon(sqlite_template, tmp_path, clock) as (daemon, _):
        await import_rows(SETTINGS, daemon.engine, rows(2, start=T0 + timedelta(minutes=5)), clock)
        for _ in range(10):
            await daemon.runner.dispatch_pass()
            clock.advance(30)
    first, *rest = shown(caplog)
    assert first == (
        "WARNING Mavera API unreachable: POST /meetings: could not connect "
        "(ClientConnectorError) (3 failures since 2026-11-23T08:00:00Z)"
    )
    # Five minutes of creates retried every 30 s (each with its own retries): one reminder.
    assert len(rest) == 1
    assert rest[0].startswith("WARNING Mavera API unreachable, still: POST /meetings: ")


async def test_an_account_out_of_credits_is_one_alert_per_outage(
    engine: AsyncEngine, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async with world(engine, clock, SETTINGS, durations=FAST, credits=0) as w:
        meetings = rows(4, start=T0 + timedelta(minutes=30), minutes=60)
        await import_rows(w.settings, w.daemon.engine, meetings, clock)
        clock.advance(20 * 60)
        for _ in range(3):  # three pauses of five minutes, every create refused
            await dispatch_all(w)
            clock.advance(5 * 60)
        w.sim.state.credits_left = None
        await dispatch_all(w)
        await w.daemon.tracker.refresh_due()
    alerts = [line for line in shown(caplog, logging.WARNING) if "Mavera" in line]
    assert len(alerts) == 4  # started, two reminders five minutes apart, recovered
    assert alerts[0] == (
        "ERROR ALERT: Mavera refuses this API key or account; dispatching pauses and retries: "
        "HTTP 402 credits_exhausted: no credits left on this account (POST /meetings) "
        "(1 failure)"
    )
    assert alerts[-1].startswith(
        "WARNING Mavera refuses this API key or account; dispatching pauses and retries: "
        "recovered after 15m00s ("
    )
    assert len(w.sim.state.bots) == 4
