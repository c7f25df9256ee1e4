"""bench/sync: calendar sync at company scale from local files, against the bare libraries.

1,000 calendars x 100 events (a recurring mix, invitations shared across calendars) are
written as .ics files, added as calendars and synced into a fresh SQLite (or PostgreSQL)
store. Reported: time, peak RSS, occurrences and rows written for the first sync; a second
sync with unchanged files (skipped by content hash) and a forced re-parse of the same
content (both must write 0 rows); and the time of icalendar + recurring-ical-events alone
over the same files, for the overhead ratio (target <= 1.5x).

    python -m bench.sync [--calendars 1000] [--events 100] [--runs 1] [--db sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import icalendar
import recurring_ical_events  # type: ignore[import-untyped]  # the library ships no types
from sqlalchemy import update

from bench.machine import describe_machine
from service.adapters.feeds.parsing import ProcessParser, make_parser
from service.adapters.sql.calendar_store import SqlCalendarStore
from service.adapters.sql.engine import make_engine
from service.adapters.sql.migrate import upgrade
from service.adapters.sql.tables import calendars
from service.composition import make_calendar_sync, read_settings
from service.config import Settings
from service.core.model import CalendarKind
from service.logging_setup import configure_logging
from tests.fakes.clock import FakeClock
from tests.fakes.feeds import Event, ics

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
SHARED_POOL = 2_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Phase:
    name: str
    seconds: float
    occurrences: int
    rows: int


def company_calendar(index: int, events: int, rng: random.Random) -> bytes:
    """100 events: 30% weekly series, 30% invitations shared with other calendars."""
    items = []
    for n in range(events):
        shared = rng.random() < 0.3
        uid = f"shared-{rng.randrange(SHARED_POOL)}" if shared else f"cal{index}-evt{n}"
        slot = int(uid.rsplit("-", 1)[-1].removeprefix("evt")) if not shared else hash(uid)
        start = NOW + timedelta(hours=8 + (abs(slot) % (24 * 20)))
        items.append(
            Event(
                uid=uid,
                start=start,
                end=start + timedelta(minutes=30),
                title=f"Meeting {uid}",
                url=f"https://acme.zoom.us/j/8{abs(hash(uid)) % 10**10:010d}",
                rrule="FREQ=WEEKLY;COUNT=8" if rng.random() < 0.3 else None,
            )
        )
    unique = {item.uid: item for item in items}
    return ics(list(unique.values()))


def write_files(folder: Path, count: int, events: int) -> list[Path]:
    rng = random.Random(7)
    paths = []
    for index in range(count):
        path = folder / f"cal{index:04d}.ics"
        path.write_bytes(company_calendar(index, events, rng))
        paths.append(path)
    return paths


def raw_library(paths: list[Path]) -> Phase:
    """icalendar + recurring-ical-events alone: parse and expand, nothing else, over the
    window the sync expands (the default settings' days around the same "now")."""
    read = read_settings(Settings())
    start, end = NOW - read.past, NOW + read.ahead
    started = time.perf_counter()
    total = 0
    for path in paths:
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        total += len(recurring_ical_events.of(calendar).between(start, end))
    return Phase(
        name="libraries alone", seconds=time.perf_counter() - started, occurrences=total, rows=0
    )


async def sync_all(url: str, paths: list[Path], settings: Settings, workers: int) -> list[Phase]:
    engine = make_engine(url)
    # Every phase sees the same "now", so all three expand the same window: with a moving
    # clock a re-sync a minute later legitimately adds and drops occurrences at its edges.
    clock = FakeClock(NOW)
    store = SqlCalendarStore(engine)
    for path in paths:
        await store.add(
            name=path.stem,
            kind=CalendarKind.ICS_FILE,
            location=str(path),
            owner_email=None,
            interval=timedelta(minutes=5),
            now=clock.now(),
        )
    phases = []
    parser = make_parser(workers)
    if isinstance(parser, ProcessParser):
        await parser.warm_up()  # the daemon starts its pool once, at boot
    async with aiohttp.ClientSession() as session:
        syncer = make_calendar_sync(settings, engine, session, clock, parser)
        for name in ("first sync", "unchanged files", "forced re-parse"):
            if name == "forced re-parse":
                async with engine.begin() as conn:
                    await conn.execute(update(calendars).values(etag=None))
            started = time.perf_counter()
            reports = await syncer.sync_all(await store.all())
            phases.append(
                Phase(
                    name=name,
                    seconds=time.perf_counter() - started,
                    occurrences=sum(r.occurrences for r in reports),
                    rows=sum(r.rows_written for r in reports),
                )
            )
            assert all(r.status != "error" for r in reports), [r.error for r in reports if r.error]
    parser.close()
    await engine.dispose()
    return phases


def database(kind: str, folder: Path) -> str:
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{folder / 'bench.db'}"
    raise SystemExit("only --db sqlite is wired in this bench; see docs/benchmarks.md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calendars", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--workers", type=int, default=2, help="parse processes (vs 0)")
    args = parser.parse_args()
    configure_logging("WARNING")
    say(describe_machine().line())
    say(f"{args.calendars} calendars x {args.events} events, {args.runs} run(s), db={args.db}")
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
            folder = Path(tmp)
            paths = write_files(folder, args.calendars, args.events)
            raw = raw_library(paths)
            for workers in (0, args.workers):
                url = database(args.db, folder / f"w{workers}")
                upgrade(url)
                phases = asyncio.run(sync_all(url, paths, Settings(), workers))
                peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                report(run, workers, raw, phases, peak_mb)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def report(run: int, workers: int, raw: Phase, phases: list[Phase], peak_mb: float) -> None:
    how = f"{workers} parse processes" if workers else "parsed in one thread (one core)"
    say(f"\nrun {run}: {how}")
    say(f"{'phase':<18} {'seconds':>9} {'occurrences':>12} {'rows written':>13}")
    for phase in (raw, *phases):
        say(f"{phase.name:<18} {phase.seconds:>9.2f} {phase.occurrences:>12} {phase.rows:>13}")
    first = phases[0]
    say(f"overhead ratio (first sync / libraries alone): {first.seconds / raw.seconds:.2f}x")
    say(f"peak RSS of the benchmark process so far: {peak_mb:.0f} MB (parse workers not included)")


if __name__ == "__main__":
    main()
