"""`autojoin calendars add|list|remove|sync` and `autojoin preview`: calendar sources."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from service.adapters.clock import SystemClock
from service.cli.common import echo_json, fail, run, say
from service.cli.views import calendar_row, print_table
from service.config import Settings
from service.core.errors import InputError
from service.core.ics import FeedError
from service.core.model import Calendar, CalendarKind
from service.core.timestamps import parse_instant
from service.core.untrusted import UNSAFE, clean_email

NAME_LIMIT = 200


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
    from service.adapters.sql.calendar_store import SqlCalendarStore
    from service.app import open_engine
    from service.core.feed_urls import FeedUrlRefused, check_url, mask

    if (url is None) == (path is None):
        fail(InputError("calendars add", "give exactly one of --url or --file"))
    _check_name_and_owner(name, owner)
    if url is not None:
        try:
            check_url(url, allow_private=settings.calendars.allow_private_addresses)
        except FeedUrlRefused as exc:
            fail(InputError("--url", str(exc)))
    kind = CalendarKind.ICS_URL if url else CalendarKind.ICS_FILE
    location = url or str(Path(str(path)).resolve())

    async def main() -> Calendar:
        async with open_engine(settings) as engine:
            return await SqlCalendarStore(engine).add(
                name=name,
                kind=kind,
                location=location,
                owner_email=owner and owner.lower(),
                interval=timedelta(seconds=interval) if interval else settings.calendars.interval,
                now=SystemClock().now(),
            )

    calendar = run(main)
    shown = mask(calendar.location) if kind is CalendarKind.ICS_URL else calendar.location
    say(f"calendar {calendar.name!r} added: {shown}")


def _check_name_and_owner(name: str, owner: str | None) -> None:
    """A name of 1 to 200 visible characters (the store's limit); an owner that is an email."""
    if not name.strip() or len(name) > NAME_LIMIT or UNSAFE.search(name):
        problem = f"expected 1 to {NAME_LIMIT} characters, none of them control characters"
        fail(InputError("NAME", problem))
    if owner is not None and (clean_email(owner) != owner.lower() or "@" not in owner):
        fail(InputError("--owner", "expected an email address"))


@calendars.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def list_(settings: Settings, as_json: bool) -> None:
    """Calendars with their last sync, error and counts."""
    from service.adapters.sql.calendar_store import SqlCalendarStore
    from service.app import open_engine

    async def main() -> list[Calendar]:
        async with open_engine(settings) as engine:
            return await SqlCalendarStore(engine).all()

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
    from service.adapters.sql.calendar_store import SqlCalendarStore
    from service.adapters.sql.source_store import SqlSourceStore
    from service.app import open_engine
    from service.core.sourcing import Window

    async def main() -> int:
        async with open_engine(settings) as engine:
            store = SqlCalendarStore(engine)
            calendar = await store.get(name)
            everything = Window(
                start=datetime.min.replace(tzinfo=UTC), end=datetime.max.replace(tzinfo=UTC)
            )
            counts = await SqlSourceStore(engine, freeze=settings.scheduler.freeze).apply(
                calendar.source, [], window=everything, now=SystemClock().now()
            )
            await store.delete(calendar.id)
            return counts.gone

    gone = run(main)
    say(f"calendar {name!r} removed ({gone} meetings lost this source)")


@calendars.command()
@click.argument("name", required=False)
@click.pass_obj
def sync(settings: Settings, name: str | None) -> None:
    """Sync one calendar, or all of them, now."""
    from service.adapters.feeds.fetch import feed_session
    from service.adapters.feeds.parsing import make_parser
    from service.adapters.sql.calendar_store import SqlCalendarStore
    from service.app import open_engine
    from service.assembly import fetch_settings, make_calendar_sync
    from service.usecases.sync_calendars import SyncReport

    async def main() -> list[SyncReport]:
        parser = make_parser(settings.calendars.parse_workers)
        try:
            async with (
                open_engine(settings) as engine,
                feed_session(fetch_settings(settings)) as session,
            ):
                store = SqlCalendarStore(engine)
                chosen = [await store.get(name)] if name else await store.all()
                syncer = make_calendar_sync(settings, engine, session, SystemClock(), parser)
                return await syncer.sync_all(chosen)
        finally:
            parser.close()

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
    now = SystemClock().now()
    begin = _when("--from", start) if start else now
    finish = _when("--to", end) if end else now + timedelta(days=settings.calendars.sync_days)
    if finish <= begin:
        fail(InputError("--to", "must be after --from"))
    try:
        rows = run(lambda: _preview(settings, source, begin, finish, owner))
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


async def _preview(
    settings: Settings, source: str, start: datetime, end: datetime, owner: str | None
) -> list[dict[str, Any]]:
    from service.assembly import feed_limits
    from service.core.feed_reading import parse_here
    from service.core.sourcing import skipped
    from service.usecases.preview import preview as preview_rows
    from service.usecases.sync_calendars import log_skipped

    data, owner_email = await _feed_bytes(settings, source, owner)
    feed = parse_here(data, start, end, settings.calendars.fallback_zone, feed_limits(settings))
    log_skipped("preview", skipped(feed))
    return preview_rows(feed, rules=settings.rules, owner_email=owner_email, start=start, end=end)


async def _feed_bytes(
    settings: Settings, source: str, owner: str | None
) -> tuple[bytes, str | None]:
    from service.adapters.feeds.fetch import (
        FeedFetchError,
        feed_session,
        fetch_url,
        read_bounded,
        read_file,
    )
    from service.adapters.sql.calendar_store import SqlCalendarStore
    from service.app import open_engine
    from service.assembly import fetch_settings

    limit = settings.calendars.max_feed_bytes
    if await asyncio.to_thread(Path(source).is_file):
        try:  # a file named on the command line: bad input when too large or unreadable
            return await asyncio.to_thread(read_bounded, source, limit), owner
        except FeedFetchError as exc:
            raise InputError(source, str(exc)) from None
    async with open_engine(settings) as engine:
        calendar = await SqlCalendarStore(engine).get(source)
    if calendar.kind is CalendarKind.ICS_FILE:
        fetched = await read_file(calendar.location, etag=None, max_bytes=limit)
    else:
        async with feed_session(fetch_settings(settings)) as session:
            fetched = await fetch_url(
                session,
                calendar.location,
                etag=None,
                last_modified=None,
                settings=fetch_settings(settings),
            )
    assert fetched.data is not None
    return fetched.data, owner or calendar.owner_email
