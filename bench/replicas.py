"""Replicas: several daemons on one PostgreSQL database; no duplicate, no miss, shared work."""

from __future__ import annotations

import argparse
import asyncio
import re
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from bench.daemon import POLICIES, Policy, conf, planner_env
from bench.db import DEFAULT_PG_ADMIN_URL
from bench.harness import Run, bench_run
from bench.meetings import Row, meeting_rows
from bench.metrics import duplicate_count, margins, missing_count
from bench.procs import Child
from bench.report import Cell, Report
from bench.sim import SimOptions, SimProcess
from bench.steps import positive_int, utc_now, wait_all_booked, wait_running, whole_seconds
from bench.waiting import wait_until
from service.logging_setup import configure_logging

BOOKED_LINE = re.compile(r"meeting (\d+)(?: booked|: adopted bot)")
HEADERS = (
    "run", "meetings", "replicas", "duplicates", "missing", "late", "429s", "creates",
    "booked per replica", "share %", "killed", "dispatch s", "wall s",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplicasParams:
    n: int = 1200
    rpm: int = 600
    replicas: int = 3
    kill_one: bool = False
    stagger: float = 0.0
    latency: float = 0.0
    planner_interval: float | None = None
    policy: Policy = "as_soon_as_known"
    start_in: float = 900.0
    booked_seconds: float = 900.0
    runs: int = 1
    admin_url: str = DEFAULT_PG_ADMIN_URL


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplicasResult:
    run: int
    meetings: int
    replicas: int
    duplicates: int
    missing: int
    late: int
    rate_limited: int
    creates: int
    booked_by: dict[str, int]
    killed: str | None
    booked_at_kill: dict[str, int] = field(default_factory=dict)
    dispatch_s: float
    wall_s: float

    def row(self) -> list[Cell]:
        total = max(sum(self.booked_by.values()), 1)
        counts = "/".join(str(n) for n in self.booked_by.values())
        shares = "/".join(f"{100 * n / total:.0f}" for n in self.booked_by.values())
        return [
            self.run, self.meetings, self.replicas, self.duplicates, self.missing, self.late,
            self.rate_limited, self.creates, counts, shares, self.killed or "-",
            self.dispatch_s, self.wall_s,
        ]  # fmt: skip


def replica_name(index: int) -> str:
    return f"replica-{index}"


def booked_count(child: Child) -> int:
    """Meetings this daemon logged as booked (created or adopted on reconcile)."""
    return len({match.group(1) for match in BOOKED_LINE.finditer(child.log_text())})


def booked_by(children: Sequence[Child]) -> dict[str, int]:
    return {child.name: booked_count(child) for child in children}


def replica_settings(params: ReplicasParams) -> dict[str, str]:
    env = planner_env(params.policy)
    if params.planner_interval is not None:
        env |= conf("planner", "interval_seconds", params.planner_interval)
    return env


async def start_replicas(run: Run, sim: SimProcess, params: ReplicasParams) -> list[Child]:
    base = replica_settings(params)
    children: list[Child] = []
    for index in range(params.replicas):
        if index and params.stagger:
            await asyncio.sleep(params.stagger)  # a replica joining while others dispatch
        name = replica_name(index)
        env = run.env(sim, rpm=params.rpm, extra=base | conf("scheduler", "worker_id", name))
        children.append(await run.start_daemon(env, name, own_dir=True))
    return children


async def start_fleet(
    run: Run, sim: SimProcess, env: dict[str, str], rows: list[Row], params: ReplicasParams
) -> tuple[list[Child], float]:
    """Replicas and meetings; return the replicas and when the meetings became due.

    Without ``stagger`` every replica runs before the meetings are imported: a replica that
    starts while another holds claims expires them (see docs/benchmarks.md, Findings).
    With it, the meetings are due first and the replicas join one by one.
    """
    if params.stagger:
        await run.import_rows(env, rows, "meetings")
        began = time.monotonic()
        return await start_replicas(run, sim, params), began
    children = await start_replicas(run, sim, params)
    for child in children:
        await wait_running(child)
    await run.import_rows(env, rows, "meetings")
    return children, time.monotonic()


async def kill_halfway(run: Run, children: list[Child], params: ReplicasParams) -> dict[str, int]:
    """Once half the meetings are booked, kill -9 the first replica; return the counts then."""

    async def half() -> tuple[bool, int]:
        for child in children:
            child.ensure_alive()
        booked = (await run.reader.state_counts()).get("booked", 0)
        return booked >= params.n // 2, booked

    await wait_until(half, what="half booked", seconds=params.booked_seconds, interval=0.2)
    await children[0].kill()
    return booked_by(children)


async def run_replicas_once(params: ReplicasParams, index: int = 1) -> ReplicasResult:
    began = time.monotonic()
    async with bench_run("replicas", db="postgresql", admin_url=params.admin_url) as run:
        sim = await run.start_simulator(SimOptions(rpm=params.rpm, latency_seconds=params.latency))
        env = run.env(sim, rpm=params.rpm, extra=planner_env(params.policy))
        await run.migrate(env)
        start = whole_seconds(utc_now() + timedelta(seconds=params.start_in))
        rows = meeting_rows([start] * params.n, duration=timedelta(minutes=30))
        children, dispatch_began = await start_fleet(run, sim, env, rows, params)
        at_kill = await kill_halfway(run, children, params) if params.kill_one else {}
        survivors = children[1:] if params.kill_one else children
        await wait_all_booked(run.reader, params.n, seconds=params.booked_seconds, watch=survivors)
        dispatch_s = time.monotonic() - dispatch_began
        stats, bots, meetings = await sim.stats(), await sim.bots(), await run.reader.meetings()
        return ReplicasResult(
            run=index,
            meetings=len(meetings),
            replicas=params.replicas,
            duplicates=duplicate_count(bots),
            missing=missing_count(meetings, bots),
            late=sum(1 for margin in margins(meetings, bots) if margin <= 0),
            rate_limited=int(stats["rate_limited"]),
            creates=int(stats["creates"]),
            booked_by=booked_by(children),
            killed=children[0].name if params.kill_one else None,
            booked_at_kill=at_kill,
            dispatch_s=dispatch_s,
            wall_s=time.monotonic() - began,
        )


async def run_replicas(params: ReplicasParams) -> Report:
    report = Report(
        bench="replicas",
        title=f"Replicas: {params.replicas} daemons, one PostgreSQL, {params.n} meetings",
        params=asdict(params),
        runs=params.runs,
        headers=HEADERS,
    )
    for index in range(1, params.runs + 1):
        result = await run_replicas_once(params, index)
        report.rows.append(result.row())
        report.details.append(asdict(result))
        if result.killed:
            report.notes.append(
                f"run {index}: booked per replica at the kill: {result.booked_at_kill}"
            )
    report.notes += [
        "booked per replica: meetings each daemon logged as booked (or adopted), from its log",
        "late: bot created after its join_at; dispatch: meetings due to all booked",
    ]
    return report


DEFAULTS = ReplicasParams()


def parse_args(argv: list[str] | None = None) -> ReplicasParams:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__)
    parser.add_argument("--n", type=positive_int, default=DEFAULTS.n)
    parser.add_argument("--rpm", type=positive_int, default=DEFAULTS.rpm)
    parser.add_argument("--replicas", type=positive_int, default=DEFAULTS.replicas)
    parser.add_argument("--kill-one", action="store_true")
    parser.add_argument(
        "--stagger", type=float, default=DEFAULTS.stagger, help="seconds between replica starts"
    )
    parser.add_argument(
        "--latency", type=float, default=DEFAULTS.latency, help="simulated API latency (s)"
    )
    parser.add_argument("--planner-interval", type=float, default=None, help="replan every S s")
    parser.add_argument("--policy", choices=POLICIES, default=DEFAULTS.policy)
    parser.add_argument("--start-in", type=float, default=DEFAULTS.start_in)
    parser.add_argument("--runs", type=positive_int, default=DEFAULTS.runs)
    parser.add_argument("--pg-admin-url", dest="admin_url", default=DEFAULTS.admin_url)
    return ReplicasParams(**vars(parser.parse_args(argv)))


def main(argv: list[str] | None = None) -> None:
    configure_logging("WARNING")
    asyncio.run(run_replicas(parse_args(argv))).emit()


if __name__ == "__main__":
    main()
