"""`autojoin calendars add|list|remove|sync` and `autojoin preview`: calendar sources."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

import click

from service.cli.common import echo_json, fail, read_input, run, say
from service.cli.views import calendar_row, print_table
from service.config import Settings
from service.core.errors import InputError
from service.core.ics import FeedError
from service.core.model import Calendar, CalendarKind
from service.core.timestamps import parse_instant

# The use cases name what they refuse; the command line names its own argument or option.
OPTION_OF: Final = {"name": "NAME", "owner": "--owner", "url": "--url"}


def _as_options(exc: InputError) -> InputError:
    if exc.where == "end":  # a preview window that ends before it starts
        return InputError("--to", "must be after --from")
    return InputError(OPTION_OF.get(exc.where, exc.where), exc.problem)


@click.group()
def calendars() -> None:
    """The calendars autojoin reads meetings from (feed URLs are shown masked)."""


@calendars.command()
@click.argument("name")
@click.option("--url", help="an iCalendar feed address (Google/Outlook secret iCal address)")
@click.option("--file", "path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--owner", help="the calendar owner's email (for the rules on their replies)")
@click.option("--interval", type=click.IntRange(60, 86_400), help="seconds between syncs")
@click.pass_obj
def add(
    settings: Settings,
    name: str,
    url: str | None,
    path: Path | None,
    owner: str | None,
    interval: int | None,
) -> None:
    """Add a calendar: a feed URL or a local .ics file."""
    from service.composition import open_use_cases
    from service.core.feed_urls import mask
    from service.usecases.calendars import NewCalendar, check

    if (url is None) == (path is None):
        fail(InputError("calendars add", "give exactly one of --url or --file"))
    new = NewCalendar(
        name=name,
        kind=CalendarKind.ICS_URL if url is not None else CalendarKind.ICS_FILE,
        location=url if url is not None else str(Path(str(path)).resolve()),
        owner_email=owner,
        interval=timedelta(seconds=interval) if interval else None,
    )
    try:  # checked before the database is opened, as the use case checks it again
        check(new, allow_private=settings.calendars.allow_private_addresses)
    except InputError as exc:
        fail(_as_options(exc))

    async def main() -> Calendar:
        async with open_use_cases(settings) as uses:
            return await uses.calendars.add(new)

    calendar = run(main)
    shown = mask(calendar.location) if new.kind is CalendarKind.ICS_URL else calendar.location
    say(f"calendar {calendar.name!r} added: {shown}")


@calendars.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def list_(settings: Settings, as_json: bool) -> None:
    """Calendars with their last sync, error and counts."""
    from service.composition import open_use_cases

    async def main() -> list[Calendar]:
        async with open_use_cases(settings) as uses:
            return await uses.calendars.all()

    rows = [calendar_row(calendar) for calendar in run(main)]
    if as_json:
        echo_json(rows)
    else:
        print_table(
            rows, ("name", "kind", "last_sync", "events", "meetings", "last_error", "location")
        )


@calendars.command()
@click.argument("name")
@click.pass_obj
def remove(settings: Settings, name: str) -> None:
    """Remove a calendar; meetings it alone brought in no longer get a bot."""
    from service.composition import open_use_cases

    async def main() -> int:
        async with open_use_cases(settings) as uses:
            return await uses.calendars.remove(name)

    gone = run(main)
    say(f"calendar {name!r} removed ({gone} meetings lost this source)")


@calendars.command()
@click.argument("name", required=False)
@click.pass_obj
def sync(settings: Settings, name: str | None) -> None:
    """Sync one calendar, or all of them, now."""
    from service.composition import open_use_cases
    from service.usecases.sync_calendars import SyncReport

    async def main() -> list[SyncReport]:
        workers = settings.calendars.parse_workers
        async with open_use_cases(settings, parse_workers=workers) as uses:
            return await uses.sync.sync_now(name)

    reports = run(main)
    rows = [vars_of(report) for report in reports]
    print_table(
        rows,
        ("calendar", "status", "occurrences", "meetings", "inserted", "updated", "gone", "error"),
    )
    if any(report.status == "error" for report in reports):
        raise SystemExit(1)


def vars_of(value: Any) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.__slots__}


@click.command()
@click.argument("source")
@click.option("--from", "start", help="window start, ISO 8601 (default: now)")
@click.option("--to", "end", help="window end, ISO 8601 (default: the sync window's end)")
@click.option("--owner", help="whose calendar this is (for the rules on replies)")
@click.option("--json", "as_json", is_flag=True, help="print a JSON array")
@click.pass_obj
def preview(
    settings: Settings,
    source: str,
    start: str | None,
    end: str | None,
    owner: str | None,
    as_json: bool,
) -> None:
    """What would be recorded from an .ics file or a calendar, touching neither the store
    nor the Mavera API."""
    from service.composition import open_use_cases, preview_feed

    feed = preview_feed(settings)
    try:
        begin, finish = feed.window(
            _when("--from", start) if start else None, _when("--to", end) if end else None
        )
    except InputError as exc:
        fail(_as_options(exc))

    async def of_calendar() -> list[dict[str, Any]]:
        async with open_use_cases(settings) as uses:
            return await uses.preview_calendar(source, owner_email=owner, start=begin, end=finish)

    try:
        if Path(source).is_file():  # a file named on the command line needs no database
            data = read_input(Path(source), settings.calendars.max_feed_bytes)
            rows = run(lambda: feed(data, owner_email=owner, start=begin, end=finish))
        else:
            rows = run(of_calendar)
    except FeedError as exc:
        fail(InputError(source, exc.problem))
    if as_json:
        echo_json(rows)
    else:
        print_table(rows, ("start", "decision", "reason", "platform", "title"))


def _when(option: str, text: str) -> datetime:
    try:
        return parse_instant(text)
    except ValueError as exc:
        fail(InputError(option, f"{exc}: {text!r}"))
