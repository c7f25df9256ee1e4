"""Peak: N meetings in one start minute, the default planner against the fixed-lead baseline."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import statistics
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from bench.daemon import Policy, default_min_lead, planner_env
from bench.db import DB_KINDS, DEFAULT_PG_ADMIN_URL, DbKind, StoreReader
from bench.harness import Run, bench_run
from bench.meetings import meeting_rows
from bench.metrics import margins, missing_count, percentile, status_lags
from bench.procs import Child
from bench.report import Cell, Report
from bench.sim import READ_ROUTES, SimBotView, SimOptions, SimProcess, route_count
from bench.steps import positive_int, utc_now, wait_creates, whole_seconds
from bench.waiting import wait_until
from service.logging_setup import configure_logging

JOIN_LEAD = timedelta(seconds=60)  # the daemon's default join_lead_seconds
# Time allowed for importing the meetings and starting the daemon before the clock counts.
STARTUP_ALLOWANCE = 20.0
AFTER_CALL = frozenset({"call_ended", "recording_done", "done", "media_expired"})
HEADERS = (
    "variant", "run", "on-time %", "creates/mtg", "429s", "min margin s", "median margin s",
    "reads/bot", "lag p50 s", "lag p95 s", "lag seen %", "create span s", "wall s",
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class PeakParams:
    n: int = 1200
    rpm: int = 600
    baseline_lead: float = 60.0
    min_lead: float | None = None
    runs: int = 1
    margin: float = 120.0
    call_seconds: float = 90.0
    settle: float = 45.0
    db: DbKind = "sqlite"
    admin_url: str = DEFAULT_PG_ADMIN_URL


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant:
    name: str
    policy: Policy
    min_lead: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PeakResult:
    variant: str
    run: int
    env: dict[str, str]
    meetings: int
    on_time_pct: float
    creates_per_meeting: float
    rate_limited: int
    min_margin_s: float
    median_margin_s: float
    reads_per_bot: float
    reads_single: int
    reads_list: int
    lag_p50_s: float
    lag_p95_s: float
    lag_seen_pct: float
    lag_samples: int
    create_span_s: float
    missing: int
    wall_s: float

    def row(self) -> list[Cell]:
        return [
            self.variant, self.run, self.on_time_pct, self.creates_per_meeting,
            self.rate_limited, self.min_margin_s, self.median_margin_s, self.reads_per_bot,
            self.lag_p50_s, self.lag_p95_s, self.lag_seen_pct, self.create_span_s, self.wall_s,
        ]  # fmt: skip


def variants(params: PeakParams) -> list[Variant]:
    return [
        Variant(name="default", policy="just_in_time", min_lead=params.min_lead),
        Variant(name="fixed_lead", policy="fixed_lead", min_lead=params.baseline_lead),
    ]


def peak_join_at(params: PeakParams) -> datetime:
    """Far enough ahead for N creates at R per minute before the longest lead, plus a margin."""
    lead = max(default_min_lead() if v.min_lead is None else v.min_lead for v in variants(params))
    ahead = STARTUP_ALLOWANCE + lead + params.n / params.rpm * 60 + params.margin
    return whole_seconds(utc_now() + timedelta(seconds=ahead))


async def _wait_statuses(reader: StoreReader, daemon: Child, n: int, *, seconds: float) -> None:
    """Until every bot's recorded status is call_ended or later, or ``seconds`` pass."""

    async def check() -> tuple[bool, int]:
        daemon.ensure_alive()
        done = sum(1 for bot in await reader.bots() if bot.status in AFTER_CALL)
        return done >= n, done

    # Not every status seen in time is a result, not an error: the lags say so (inf).
    with contextlib.suppress(TimeoutError):
        await wait_until(check, what="statuses recorded", seconds=max(seconds, 0), interval=1.0)


def _last_call_ended(bots: list[SimBotView]) -> datetime:
    ends = [at for bot in bots for status, at in bot.timeline if status == "call_ended"]
    return max(ends) if ends else utc_now()


async def _play(run: Run, sim: SimProcess, params: PeakParams, variant: Variant) -> datetime:
    """Import, start the daemon, wait for the creates and the calls; return join_at."""
    extra = planner_env(variant.policy, min_lead=variant.min_lead)
    env = run.env(sim, rpm=params.rpm, extra=extra)
    await run.migrate(env)
    join_at = peak_join_at(params)
    start = join_at + JOIN_LEAD
    rows = meeting_rows([start] * params.n, duration=timedelta(minutes=30))
    await run.import_rows(env, rows, "meetings")
    daemon = await run.start_daemon(env, "daemon")
    budget = (join_at - utc_now()).total_seconds() + 3 * params.n / params.rpm * 60 + 60
    await wait_creates(sim, params.n, seconds=budget, watch=[daemon])
    last_end = _last_call_ended(await sim.bots())
    wait = (last_end - utc_now()).total_seconds() + params.settle
    await _wait_statuses(run.reader, daemon, params.n, seconds=wait)
    return join_at


async def run_variant(params: PeakParams, variant: Variant, index: int) -> PeakResult:
    began = time.monotonic()
    async with bench_run(f"peak-{variant.name}", db=params.db, admin_url=params.admin_url) as run:
        sim = await run.start_simulator(
            SimOptions(rpm=params.rpm, call_seconds=params.call_seconds)
        )
        await _play(run, sim, params, variant)
        return await _measure(run, sim, params, variant, index, began)


async def _measure(
    run: Run, sim: SimProcess, params: PeakParams, variant: Variant, index: int, began: float
) -> PeakResult:
    until = utc_now()
    stats, bots = await sim.stats(), await sim.bots()
    meetings, db_bots = await run.reader.meetings(), await run.reader.bots()
    changes = await run.reader.changes()
    n = len(meetings)
    slack = margins(meetings, bots)
    lags = status_lags({b.id: b for b in bots}, db_bots, changes, until=until)
    created = [bot.created_at for bot in bots]
    return PeakResult(
        variant=variant.name,
        run=index,
        env=planner_env(variant.policy, min_lead=variant.min_lead),
        meetings=n,
        on_time_pct=100 * sum(1 for s in slack if s > 0) / n,
        creates_per_meeting=int(stats["creates"]) / n,
        rate_limited=int(stats["rate_limited"]),
        min_margin_s=min(slack, default=math.nan),
        median_margin_s=statistics.median(slack) if slack else math.nan,
        reads_per_bot=route_count(stats, *READ_ROUTES) / n,
        reads_single=route_count(stats, READ_ROUTES[0]),
        reads_list=route_count(stats, READ_ROUTES[1]),
        lag_p50_s=percentile(lags, 50),
        lag_p95_s=percentile(lags, 95),
        lag_seen_pct=100 * sum(1 for lag in lags if math.isfinite(lag)) / max(len(lags), 1),
        lag_samples=len(lags),
        create_span_s=(max(created) - min(created)).total_seconds() if created else math.nan,
        missing=missing_count(meetings, bots),
        wall_s=time.monotonic() - began,
    )


async def run_peak(params: PeakParams) -> Report:
    report = Report(
        bench="peak",
        title=f"Peak: {params.n} meetings in one start minute at {params.rpm} requests/min",
        params=asdict(params) | {"join_lead_s": JOIN_LEAD.total_seconds()},
        runs=params.runs,
        headers=HEADERS,
    )
    for index in range(1, params.runs + 1):
        for variant in variants(params):
            result = await run_variant(params, variant, index)
            report.rows.append(result.row())
            report.details.append(asdict(result))
    for variant in variants(params):
        env = planner_env(variant.policy, min_lead=variant.min_lead) or "(daemon defaults)"
        report.notes.append(f"{variant.name}: {env}")
    report.notes.append(
        "on-time: bot created before its join_at; margin: join_at - creation (negative: late); "
        "lag: in-meeting status change to our record of it ('never': not recorded by the end)"
    )
    return report


DEFAULTS = PeakParams()


def parse_args(argv: list[str] | None = None) -> PeakParams:
    parser = argparse.ArgumentParser(prog="python -m bench.peak", description=__doc__)
    parser.add_argument("--n", type=positive_int, default=DEFAULTS.n)
    parser.add_argument("--rpm", type=positive_int, default=DEFAULTS.rpm)
    parser.add_argument("--baseline-lead", type=float, default=DEFAULTS.baseline_lead)
    parser.add_argument(
        "--min-lead", type=float, default=None, help="the default planner's min lead (s)"
    )
    parser.add_argument("--runs", type=positive_int, default=DEFAULTS.runs)
    parser.add_argument("--margin", type=float, default=DEFAULTS.margin)
    parser.add_argument("--call-seconds", type=float, default=DEFAULTS.call_seconds)
    parser.add_argument("--settle", type=float, default=DEFAULTS.settle)
    parser.add_argument("--db", choices=DB_KINDS, default=DEFAULTS.db)
    parser.add_argument("--pg-admin-url", dest="admin_url", default=DEFAULTS.admin_url)
    return PeakParams(**vars(parser.parse_args(argv)))


def main(argv: list[str] | None = None) -> None:
    configure_logging("WARNING")
    asyncio.run(run_peak(parse_args(argv))).emit()


if __name__ == "__main__":
    main()
