"""Chaos: 5xx, late create answers and kill -9 of the daemon mid-dispatch; still one bot each."""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from dataclasses import asdict, dataclass
from datetime import timedelta

from bench.daemon import Policy, conf, planner_env
from bench.db import DB_KINDS, DEFAULT_PG_ADMIN_URL, DbKind
from bench.harness import Run, bench_run
from bench.meetings import meeting_rows
from bench.metrics import duplicate_count, missing_count
from bench.report import Cell, Report
from bench.sim import SimOptions, SimProcess
from bench.steps import (
    pending,
    positive_int,
    utc_now,
    wait_all_booked,
    wait_running,
    whole_seconds,
)
from service.logging_setup import configure_logging

HEADERS = (
    "db", "run", "meetings", "kills", "kills mid-dispatch", "duplicates", "missing",
    "creates", "cancelled", "5xx", "converge s", "wall s",
)  # fmt: skip
FAULTS_OFF = {"error_rate": 0.0, "error_after_create_rate": 0.0, "delayed_create_rate": 0.0}


@dataclass(frozen=True, slots=True, kw_only=True)
class ChaosParams:
    n: int = 600
    rpm: int = 600
    kills: int = 25
    max_gap: float = 3.0
    error_rate: float = 0.2
    delayed_rate: float = 0.05
    timeout: float = 2.0
    delay: float = 4.0
    lease: float | None = None
    start_in: float = 900.0
    policy: Policy = "as_soon_as_known"
    converge_seconds: float = 300.0
    runs: int = 1
    seed: int = 1
    db: DbKind = "sqlite"
    admin_url: str = DEFAULT_PG_ADMIN_URL

    def __post_init__(self) -> None:
        if self.delay <= self.timeout:
            raise ValueError("the create delay must exceed the client timeout to be ambiguous")


@dataclass(frozen=True, slots=True, kw_only=True)
class ChaosResult:
    db: str
    run: int
    meetings: int
    kills: int
    kills_mid_dispatch: int
    duplicates: int
    missing: int
    creates: int
    cancelled: int
    server_errors: int
    booked_before_converge: int
    converge_s: float
    wall_s: float

    def row(self) -> list[Cell]:
        return [
            self.db, self.run, self.meetings, self.kills, self.kills_mid_dispatch,
            self.duplicates, self.missing, self.creates, self.cancelled, self.server_errors,
            self.converge_s, self.wall_s,
        ]  # fmt: skip


def sim_options(params: ChaosParams) -> SimOptions:
    return SimOptions(
        rpm=params.rpm,
        seed=params.seed,
        error_rate=params.error_rate,
        delayed_create_rate=params.delayed_rate,
        delayed_create_seconds=params.delay,
    )


def daemon_settings(params: ChaosParams) -> dict[str, str]:
    env = planner_env(params.policy) | conf("mavera", "timeout_seconds", params.timeout)
    if params.lease is not None:
        env |= conf("scheduler", "lease_seconds", params.lease)
    return env


async def _kill_once(run: Run, env: dict[str, str], name: str, gap: float) -> bool:
    """Start a daemon, let it work ``gap`` s once it runs, then kill -9 it.

    Returns whether meetings were still waiting for a bot when it was killed.
    """
    daemon = await run.start_daemon(env, name)
    await wait_running(daemon)
    await asyncio.sleep(gap)
    daemon.ensure_alive()  # a daemon that died by itself is a finding, not a kill
    mid_dispatch = pending(await run.reader.state_counts()) > 0
    await daemon.kill()
    return mid_dispatch


async def _converge(run: Run, sim: SimProcess, env: dict[str, str], params: ChaosParams) -> float:
    """Faults off, one daemon left running until every meeting is booked; return seconds."""
    await sim.set_faults(**FAULTS_OFF)
    began = time.monotonic()
    daemon = await run.start_daemon(env, "daemon-final")
    await wait_all_booked(run.reader, params.n, seconds=params.converge_seconds, watch=[daemon])
    return time.monotonic() - began


async def run_chaos_once(params: ChaosParams, index: int = 1) -> ChaosResult:
    began, rng = time.monotonic(), random.Random(params.seed + index)
    async with bench_run("chaos", db=params.db, admin_url=params.admin_url) as run:
        sim = await run.start_simulator(sim_options(params))
        env = run.env(sim, rpm=params.rpm, extra=daemon_settings(params))
        await run.migrate(env)
        start = whole_seconds(utc_now() + timedelta(seconds=params.start_in))
        rows = meeting_rows([start] * params.n, duration=timedelta(minutes=30))
        await run.import_rows(env, rows, "meetings")
        mid = [
            await _kill_once(run, env, f"daemon-{k:02d}", rng.uniform(0, params.max_gap))
            for k in range(1, params.kills + 1)
        ]
        booked_before = (await run.reader.state_counts()).get("booked", 0)
        converge_s = await _converge(run, sim, env, params)
        stats, bots, meetings = await sim.stats(), await sim.bots(), await run.reader.meetings()
        return ChaosResult(
            db=params.db,
            run=index,
            meetings=len(meetings),
            kills=len(mid),
            kills_mid_dispatch=sum(mid),
            duplicates=duplicate_count(bots),
            missing=missing_count(meetings, bots),
            creates=int(stats["creates"]),
            cancelled=sum(1 for bot in bots if not bot.live),
            server_errors=int(stats["server_errors"]),
            booked_before_converge=booked_before,
            converge_s=converge_s,
            wall_s=time.monotonic() - began,
        )


async def run_chaos(params: ChaosParams) -> Report:
    report = Report(
        bench="chaos",
        title=f"Chaos: {params.n} meetings, {params.kills} kill -9s, faults on",
        params=asdict(params),
        runs=params.runs,
        headers=HEADERS,
    )
    for index in range(1, params.runs + 1):
        result = await run_chaos_once(params, index)
        report.rows.append(result.row())
        report.details.append(asdict(result))
    report.notes += [
        "duplicates: live bots beyond the first per (meeting_url, join_at) in the simulator",
        "missing: meetings with no live bot for their link and join time",
        "converge: faults off, one daemon started, until every meeting is booked",
    ]
    return report


DEFAULTS = ChaosParams()


def parse_args(argv: list[str] | None = None) -> ChaosParams:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--n", type=positive_int, default=DEFAULTS.n)
    parser.add_argument("--rpm", type=positive_int, default=DEFAULTS.rpm)
    parser.add_argument("--kills", type=positive_int, default=DEFAULTS.kills)
    parser.add_argument("--max-gap", type=float, default=DEFAULTS.max_gap)
    parser.add_argument("--error-rate", type=float, default=DEFAULTS.error_rate)
    parser.add_argument("--delayed-rate", type=float, default=DEFAULTS.delayed_rate)
    parser.add_argument("--timeout", type=float, default=DEFAULTS.timeout)
    parser.add_argument("--delay", type=float, default=DEFAULTS.delay)
    parser.add_argument("--lease", type=float, default=None, help="claim lease (s)")
    parser.add_argument("--runs", type=positive_int, default=DEFAULTS.runs)
    parser.add_argument("--seed", type=int, default=DEFAULTS.seed)
    parser.add_argument("--db", choices=DB_KINDS, default=DEFAULTS.db)
    parser.add_argument("--pg-admin-url", dest="admin_url", default=DEFAULTS.admin_url)
    return ChaosParams(**vars(parser.parse_args(argv)))


def main(argv: list[str] | None = None) -> None:
    configure_logging("WARNING")
    asyncio.run(run_chaos(parse_args(argv))).emit()


if __name__ == "__main__":
    main()
