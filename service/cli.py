"""The `autojoin` command line: migrate, run, import, meetings, simulate; exit codes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from service.clock import SystemClock
from service.config import Settings, load_settings
from service.credentials import load_api_key
from service.errors import ConfigError, InputError, ServiceError
from service.model import MeetingView
from service.timestamps import utc_iso

if TYPE_CHECKING:
    from service.simulator import SimulatorSettings

T = TypeVar("T")
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2


def _config_path(option: Path | None) -> Path | None:
    if option is not None:
        return option
    if os.environ.get("AUTOJOIN_CONFIG"):
        return Path(os.environ["AUTOJOIN_CONFIG"])
    default = Path("config.yaml")
    return default if default.exists() else None


def _fail(exc: ServiceError) -> None:
    click.echo(f"error: {exc}", err=True)
    bad_input = isinstance(exc, ConfigError | InputError)
    sys.exit(EXIT_BAD_INPUT if bad_input else EXIT_ERROR)


def _run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await coro_factory()

    try:
        return asyncio.run(main())
    except ServiceError as exc:
        _fail(exc)
        raise AssertionError("unreachable") from exc


@click.group()
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="config file (default: $AUTOJOIN_CONFIG, else ./config.yaml if present)",
)
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """autojoin: books a Mavera recording bot for every scheduled meeting, exactly once."""
    try:
        settings = load_settings(_config_path(config_path), os.environ)
    except ConfigError as exc:
        _fail(exc)
    logging.basicConfig(
        level=settings.logging.level,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("alembic", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    ctx.obj = settings


@cli.command()
@click.pass_obj
def migrate(settings: Settings) -> None:
    """Create or upgrade the database schema (Alembic, to head)."""
    from service.store.migrate import upgrade

    upgrade(settings.database.url)
    click.echo("database schema is up to date")


@cli.command()
@click.pass_obj
def run(settings: Settings) -> None:
    """Run the daemon. Without MAVERA_API_KEY it runs a demo against a local simulator."""
    from service.app import run_daemon

    try:
        api_key = load_api_key(os.environ, settings.mavera.api_key_file)
    except ConfigError as exc:
        _fail(exc)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run_daemon(settings, api_key, stop)

    _run(main)


@cli.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.pass_obj
def import_(settings: Settings, file: Path) -> None:
    """Add or update meetings from a JSON list (re-importing updates in place)."""
    from service.app import import_rows, open_engine
    from service.store.meetings import SqlMeetingStore

    try:
        rows = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        _fail(InputError(str(file), f"not a readable JSON file ({exc})"))

    async def main() -> str:
        async with open_engine(settings) as engine:
            counts = await import_rows(settings, SqlMeetingStore(engine), rows, SystemClock())
        return f"{counts.inserted} added, {counts.updated} updated, {counts.unchanged} unchanged"

    click.echo(_run(main))


@cli.group()
def meetings() -> None:
    """Inspect the meeting store."""


@meetings.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="print a JSON array")
@click.option("--all", "include_past", is_flag=True, help="include meetings that have ended")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.pass_obj
def list_(settings: Settings, as_json: bool, include_past: bool, limit: int) -> None:
    """List meetings with their bot and its status, by start time."""
    from service.app import open_engine
    from service.store.meetings import SqlMeetingStore

    async def main() -> list[MeetingView]:
        async with open_engine(settings) as engine:
            after = None if include_past else SystemClock().now()
            return await SqlMeetingStore(engine).views(starting_after=after, limit=limit)

    rows = [_summary(view) for view in _run(main)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        _print_table(rows)


def _summary(view: MeetingView) -> dict[str, Any]:
    meeting, bot = view.meeting, view.bot
    return {
        "id": meeting.id,
        "title": meeting.title,
        "meeting_url": meeting.meeting_url,
        "platform": meeting.platform.value,
        "start": utc_iso(meeting.start_at),
        "end": utc_iso(meeting.end_at),
        "join_at": utc_iso(meeting.join_at),
        "state": meeting.dispatch_state.value,
        "bot_id": bot.mavera_id if bot else None,
        "bot_status": bot.status if bot else None,
        "attempts": bot.attempts if bot else 0,
        "last_error": meeting.last_error,
    }


def _print_table(rows: list[dict[str, Any]]) -> None:
    columns = ("id", "start", "join_at", "state", "bot_status", "bot_id", "title")
    table = [[str(row[c] if row[c] is not None else "-") for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in table)]) for i, c in enumerate(columns)]
    click.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)))
    for cells in table:
        click.echo("  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True)).rstrip())


@cli.command(name="plan")
@click.option("--json", "as_json", is_flag=True, help="print the plan as JSON")
@click.option("--late", "late_limit", default=20, show_default=True, help="late meetings to list")
@click.pass_obj
def plan_(settings: Settings, as_json: bool, late_limit: int) -> None:
    """Show when waiting meetings' bots will be booked, and which will be late."""
    report = _run(lambda: _forecast(settings, late_limit))
    if as_json:
        click.echo(json.dumps(report, indent=2))
        return
    click.echo(
        f"{report['waiting']} meetings waiting; {report['creates_per_minute']} creates/min "
        f"({report['policy']}); first dispatch {report['first_dispatch'] or '-'}, "
        f"last {report['last_dispatch'] or '-'}"
    )
    if not report["late"]:
        click.echo("every bot will be booked before its deadline")
    for late in report["late"]:
        seconds, title = late["late_by_seconds"], late["title"]
        click.echo(f"LATE by {seconds:>6.0f} s  meeting {late['id']}: {title}")


async def _forecast(settings: Settings, late_limit: int) -> dict[str, Any]:
    from service.app import make_replanner, open_engine
    from service.budget import LocalBudget
    from service.store.meetings import SqlMeetingStore

    clock = SystemClock()
    budget = LocalBudget(limit=settings.mavera.requests_per_minute, read_share=0, clock=clock)
    async with open_engine(settings) as engine:
        plan, plan_settings = await make_replanner(settings, engine, budget, clock).preview()
        meetings = SqlMeetingStore(engine)
        late = [
            {
                "id": item.key,
                "title": (await meetings.view(item.key)).meeting.title,
                "late_by_seconds": item.by.total_seconds(),
            }
            for item in plan.late[:late_limit]
        ]
    times = sorted(plan.times.values())
    return {
        "waiting": len(plan.times),
        "policy": settings.planner.policy.value,
        "creates_per_minute": plan_settings.capacity.per_window,
        "first_dispatch": utc_iso(times[0]) if times else None,
        "last_dispatch": utc_iso(times[-1]) if times else None,
        "late_count": len(plan.late),
        "late": late,
    }


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8099, show_default=True, type=click.IntRange(0, 65535))
@click.option("--rpm", default=120, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--fast", is_flag=True, help="compress a bot's life into about two minutes")
@click.option("--call-seconds", type=click.FloatRange(0), help="how long each simulated call lasts")
@click.option("--all-succeed", is_flag=True, help="no failure outcomes (fatal, denied, ...)")
@click.option("--error-rate", default=0.0, type=click.FloatRange(0, 1), help="share of 5xx")
@click.option(
    "--error-after-create-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="share of creates that make the bot but answer 500",
)
@click.option(
    "--delayed-create-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="share of creates that make the bot but answer late",
)
@click.option("--delayed-create-seconds", default=30.0, type=click.FloatRange(0))
@click.option("--latency-seconds", default=0.0, type=click.FloatRange(0))
def simulate(host: str, port: int, **options: Any) -> None:
    """Serve the Mavera API simulator (for demos, benchmarks and manual testing)."""
    from service.simulator import serve_forever

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(_simulator_settings(**options), host=host, port=port))


def _simulator_settings(
    *,
    rpm: int,
    seed: int,
    fast: bool,
    call_seconds: float | None,
    all_succeed: bool,
    **faults: float,
) -> SimulatorSettings:
    from service.simulator import Faults, OutcomeMix, SimulatorSettings

    settings = SimulatorSettings.fast() if fast else SimulatorSettings()
    durations = settings.durations
    if call_seconds is not None:
        durations = replace(durations, call=timedelta(seconds=call_seconds))
    mix = OutcomeMix() if all_succeed else settings.mix
    return replace(
        settings, rpm=rpm, seed=seed, durations=durations, mix=mix, faults=Faults(**faults)
    )


def main() -> None:
    cli(prog_name="autojoin")
