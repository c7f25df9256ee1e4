"""Start-up: memory (VmRSS, VmHWM) and time to the first create with 100k upcoming meetings."""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from bench.db import DB_KINDS, DEFAULT_PG_ADMIN_URL, DbKind
from bench.harness import Run, bench_run
from bench.meetings import meeting_rows
from bench.procs import Child
from bench.report import Cell, Report
from bench.sim import CREATE_ROUTE, SimOptions, SimProcess, route_count
from bench.steps import positive_int, utc_now, whole_seconds
from bench.waiting import wait_until
from service.logging_setup import configure_logging

RSS_TARGET_MB = 150.0
FIRST_CREATE_TARGET_S = 3.0
SPREAD = timedelta(days=30)
HEADERS = (
    "db", "run", "meetings", "seed s", "first create s", "RSS MB", "peak RSS MB",
    "RSS <= 150", "first <= 3 s",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class StartupParams:
    meetings: int = 100_000
    chunk: int = 10_000
    dbs: tuple[DbKind, ...] = DB_KINDS
    settle: float = 40.0
    rpm: int = 600
    runs: int = 1
    admin_url: str = DEFAULT_PG_ADMIN_URL


@dataclass(frozen=True, slots=True, kw_only=True)
class StartupResult:
    db: str
    run: int
    meetings: int
    seed_s: float
    first_create_s: float
    rss_mb: float
    hwm_mb: float

    def row(self) -> list[Cell]:
        return [
            self.db, self.run, self.meetings, self.seed_s, self.first_create_s, self.rss_mb,
            self.hwm_mb, "yes" if self.hwm_mb <= RSS_TARGET_MB else "NO",
            "yes" if self.first_create_s <= FIRST_CREATE_TARGET_S else "NO",
        ]  # fmt: skip


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a live process, in MiB, from /proc/<pid>/status."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


async def seed(run: Run, env: dict[str, str], params: StartupParams) -> int:
    """Import the upcoming meetings (spread over 30 days from +2 h), then one due now."""
    first = utc_now() + timedelta(hours=2)
    step = SPREAD / params.meetings
    for offset in range(0, params.meetings, params.chunk):
        count = min(params.chunk, params.meetings - offset)
        starts = [whole_seconds(first + step * (offset + i)) for i in range(count)]
        rows = meeting_rows(starts, duration=timedelta(minutes=30), first_index=offset)
        await run.import_rows(env, rows, f"chunk-{offset}")
    due_now = whole_seconds(utc_now() + timedelta(seconds=90))  # joins in about 30 s
    rows = meeting_rows([due_now], duration=timedelta(minutes=30), first_index=params.meetings)
    await run.import_rows(env, rows, "due-now")
    return params.meetings + 1


async def first_create_after(sim: SimProcess, daemon: Child) -> float:
    """Seconds from the daemon's exec to the first create request the simulator received."""

    async def created() -> tuple[bool, int]:
        daemon.ensure_alive()
        count = route_count(await sim.stats(), CREATE_ROUTE)
        return count > 0, count

    await wait_until(created, what="first create", seconds=120, interval=0.1)
    creates = [r for r in await sim.requests() if f"{r.method} {r.route}" == CREATE_ROUTE]
    return min(r.at.timestamp() for r in creates) - daemon.started_at


async def run_startup_once(params: StartupParams, db: DbKind, index: int) -> StartupResult:
    async with bench_run(f"startup-{db}", db=db, admin_url=params.admin_url) as run:
        sim = await run.start_simulator(SimOptions(rpm=params.rpm))
        env = run.env(sim, rpm=params.rpm, extra={})
        await run.migrate(env)
        began = time.monotonic()
        count = await seed(run, env, params)
        seed_s = time.monotonic() - began
        daemon = await run.start_daemon(env, "daemon")
        first_s = await first_create_after(sim, daemon)
        await asyncio.sleep(params.settle)
        daemon.ensure_alive()
        rss, hwm = memory_mb(daemon.pid)
        return StartupResult(
            db=db, run=index, meetings=count, seed_s=seed_s, first_create_s=first_s,
            rss_mb=rss, hwm_mb=hwm,
        )  # fmt: skip


async def run_startup(params: StartupParams) -> Report:
    report = Report(
        bench="startup",
        title=f"Start-up with {params.meetings} upcoming meetings",
        params=asdict(params),
        runs=params.runs,
        headers=HEADERS,
    )
    for index in range(1, params.runs + 1):
        for db in params.dbs:
            result = await run_startup_once(params, db, index)
            report.rows.append(result.row())
            report.details.append(asdict(result))
    report.notes += [
        "seed: `autojoin import` of the meetings in chunks (+1 meeting due at once)",
        "first create: daemon exec to the simulator receiving its first POST /meetings",
        f"RSS: VmRSS / VmHWM of the daemon {params.settle:.0f} s after that first create; "
        f"targets: peak RSS <= {RSS_TARGET_MB:.0f} MB, first create <= {FIRST_CREATE_TARGET_S} s",
    ]
    return report


DEFAULTS = StartupParams()


def parse_args(argv: list[str] | None = None) -> StartupParams:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__)
    parser.add_argument("--meetings", type=positive_int, default=DEFAULTS.meetings)
    parser.add_argument("--chunk", type=positive_int, default=DEFAULTS.chunk)
    parser.add_argument("--db", dest="dbs", action="append", choices=DB_KINDS)
    parser.add_argument("--settle", type=float, default=DEFAULTS.settle)
    parser.add_argument("--runs", type=positive_int, default=DEFAULTS.runs)
    parser.add_argument("--pg-admin-url", dest="admin_url", default=DEFAULTS.admin_url)
    args = vars(parser.parse_args(argv))
    args["dbs"] = tuple(args["dbs"] or DEFAULTS.dbs)
    return StartupParams(**args)


def main(argv: list[str] | None = None) -> None:
    configure_logging("WARNING")
    asyncio.run(run_startup(parse_args(argv))).emit()


if __name__ == "__main__":
    main()
