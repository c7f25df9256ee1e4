"""CalendarSync: fetch each due calendar, turn its events into meetings, follow every change.

A feed that fails keeps its last good events (nothing is removed) and shows its error. A
missing event only counts as gone when the fetch succeeded and the event's time lies inside
both the sync window and the feed's own clip window.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from dataclasses import dataclass
from datetime import datetime

import aiohttp

from service.adapters.feeds.fetch import (
    FeedFetchError,
    Fetched,
    FetchSettings,
    fetch_url,
    read_file,
)
from service.adapters.feeds.parsing import FeedJob, Parser, ReadSettings
from service.adapters.feeds.workers import WorkerDied
from service.adapters.sql.calendar_store import SqlCalendarStore
from service.adapters.sql.source_store import SqlSourceStore, Window
from service.core.ics import FeedError
from service.core.model import Calendar, CalendarKind
from service.core.ports import Clock
from service.core.sourcing import Skipped, Sourced, planned

log = logging.getLogger(__name__)
# What reading a calendar is known to run into; their messages never hold the feed's URL.
READ_ERRORS = (FeedFetchError, FeedError, WorkerDied)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncSettings:
    read: ReadSettings
    fetch: FetchSettings
    # Calendars fetched and parsed at once; their meetings are stored one calendar at a time
    # (two calendars bringing the same call must not both create it).
    parallel: int = 4

    def __post_init__(self) -> None:
        if self.parallel < 1:  # a Semaphore(0) would never let a calendar through
            raise ValueError(f"parallel must be at least 1, not {self.parallel}")


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncReport:
    calendar: str
    status: str  # "ok", "not_modified" or "error"
    occurrences: int = 0
    meetings: int = 0
    inserted: int = 0
    updated: int = 0
    gone: int = 0
    rows_written: int = 0
    error: str | None = None


class CalendarSync:
    def __init__(
        self,
        *,
        calendars: SqlCalendarStore,
        sources: SqlSourceStore,
        session: aiohttp.ClientSession,
        clock: Clock,
        settings: SyncSettings,
        parser: Parser,
    ) -> None:
        self._calendars = calendars
        self._sources = sources
        self._session = session
        self._clock = clock
        self._settings = settings
        self._parse = parser
        self._storing = asyncio.Lock()
        self._skipped: dict[int, Skipped] = {}
        self._fetching = asyncio.Semaphore(settings.parallel)

    async def sync_due(self) -> list[SyncReport]:
        """Sync every calendar whose interval has passed."""
        return await self.sync_all(await self._calendars.due(self._clock.now()))

    async def sync_now(self, name: str | None = None) -> list[SyncReport]:
        """Sync the calendar called ``name``, or every calendar, now, whether due or not.

        :raises CalendarNotFound: no calendar is called ``name``.
        """
        chosen = [await self._calendars.get(name)] if name else await self._calendars.all()
        return await self.sync_all(chosen)

    async def sync_all(self, calendars: list[Calendar]) -> list[SyncReport]:
        """Fetch and parse several at once; store one at a time."""
        return list(await asyncio.gather(*(self.sync(calendar) for calendar in calendars)))

    async def sync(self, calendar: Calendar) -> SyncReport:
        """Sync one calendar. Whatever goes wrong reading it is recorded on it and reported;
        only the store failing raises (the other calendars of a pass go on regardless)."""
        try:
            async with self._fetching:
                fetched, job, read = await self._read(calendar)
        except Exception as exc:  # one calendar's failure, whatever it is, is its own
            return await self._failed(calendar, exc)
        async with self._storing:
            if read is None:
                return await self._unchanged(calendar, fetched)
            return await self._store(calendar, fetched, job, read)

    async def _read(self, calendar: Calendar) -> tuple[Fetched, FeedJob, Sourced | None]:
        fetched = await fetch(calendar, self._session, self._settings.fetch)
        job = self._settings.read.job(
            source=calendar.source, owner_email=calendar.owner_email, now=self._clock.now()
        )
        read = None if fetched.data is None else await self._parse(fetched.data, job)
        return fetched, job, read

    async def _failed(self, calendar: Calendar, exc: Exception) -> SyncReport:
        error = failure(exc)
        if isinstance(exc, READ_ERRORS):
            log.warning("calendar %r: %s (its meetings are kept)", calendar.name, error)
        else:
            log.error(
                "calendar %r: %s (its meetings are kept) at %s", calendar.name, error, where(exc)
            )
        await self._calendars.record_failure(calendar.id, now=self._clock.now(), error=error)
        return SyncReport(calendar=calendar.name, status="error", error=error)

    async def _unchanged(self, calendar: Calendar, fetched: Fetched) -> SyncReport:
        await self._calendars.record_success(
            calendar.id,
            now=self._clock.now(),
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            clip=None,
            counts=None,
        )
        return SyncReport(calendar=calendar.name, status="not_modified")

    async def _store(
        self, calendar: Calendar, fetched: Fetched, job: FeedJob, read: Sourced
    ) -> SyncReport:
        # What vanished is judged over the window the feed was expanded in, however long the
        # parsed feed waited for its turn to be stored.
        now = self._clock.now()
        if self._skipped.get(calendar.id) != read.skipped:  # said once, not every sync
            log_skipped(f"calendar {calendar.name!r}", read.skipped)
            self._skipped[calendar.id] = read.skipped
        window = present_window(read, job.window_start, job.window_end)
        meetings = planned(read.meetings, self._settings.read.timing)
        counts = await self._sources.apply(calendar.source, meetings, window=window, now=now)
        await self._calendars.record_success(
            calendar.id,
            now=now,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            clip=(read.clip_start_at, read.clip_end_at),
            counts=(read.occurrences, len(read.meetings)),
        )
        return SyncReport(
            calendar=calendar.name,
            status="ok",
            occurrences=read.occurrences,
            meetings=len(read.meetings),
            inserted=counts.inserted,
            updated=counts.updated,
            gone=counts.gone,
            rows_written=counts.rows_written,
        )


async def fetch(
    calendar: Calendar, session: aiohttp.ClientSession, settings: FetchSettings
) -> Fetched:
    if calendar.kind is CalendarKind.ICS_FILE:
        return await read_file(calendar.location, etag=calendar.etag, max_bytes=settings.max_bytes)
    return await fetch_url(
        session,
        calendar.location,
        etag=calendar.etag,
        last_modified=calendar.last_modified,
        settings=settings,
    )


def failure(exc: Exception) -> str:
    """The one line shown for a calendar that could not be read. Anything but the known
    errors may quote the feed's (secret) URL, so only its type is shown."""
    if isinstance(exc, READ_ERRORS):
        return str(exc)
    return (
        f"unexpected error while reading this calendar ({type(exc).__name__}); "
        "retrying next interval"
    )


def where(exc: BaseException) -> str:
    """The line that raised ``exc`` (file:line in function), for the log without its message."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "an unknown place"
    last = frames[-1]
    return f"{last.filename}:{last.lineno} in {last.name}"


def log_skipped(what: str, skipped: Skipped) -> None:
    """One line saying why events of a feed were left out (never their content)."""
    if skipped:
        total = sum(count for _, count in skipped)
        reasons = "; ".join(f"{why} ({count})" for why, count in skipped)
        log.warning("%s: %d events skipped: %s", what, total, reasons)


def present_window(read: Sourced, start: datetime, end: datetime) -> Window:
    """Where this fetch is complete: the sync window cut to the feed's clip window."""
    if read.clip_start_at is not None:
        start = max(start, read.clip_start_at)
    if read.clip_end_at is not None:
        end = min(end, read.clip_end_at)
    return Window(start=start, end=max(start, end))
