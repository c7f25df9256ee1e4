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

from service.core.errors import FeedUnreadable
from service.core.feed_reading import FeedJob, Fetched, ReadSettings
from service.core.model import Calendar, CalendarKind
from service.core.ports import CalendarStore, Clock, FeedFetcher, FeedParser, SourceStore
from service.core.sourcing import Skipped, Sourced, SourceMeetings, Window, planned

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncSettings:
    read: ReadSettings
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
        calendars: CalendarStore,
        sources: SourceStore,
        fetcher: FeedFetcher,
        clock: Clock,
        settings: SyncSettings,
        parser: FeedParser,
    ) -> None:
        self._calendars = calendars
        self._sources = sources
        self._fetcher = fetcher
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
        fetched = await fetch(calendar, self._fetcher)
        job = self._settings.read.job(
            source=calendar.source, owner_email=calendar.owner_email, now=self._clock.now()
        )
        read = None if fetched.data is None else await self._parse(fetched.data, job)
        return fetched, job, read

    async def _failed(self, calendar: Calendar, exc: Exception) -> SyncReport:
        error = failure(exc)
        if isinstance(exc, FeedUnreadable):
            log.warning("calendar %r: %s (its meetings are kept)", calendar.name, error)
        else:
            log.error(
                "calendar %r: %s (its meetings are kept) at %s", calendar.name, error, where(exc)
            )
        await self._calendars.record_failure(calendar.id, now=self._clock.now(), error=error)
        return SyncReport(calendar=calendar.name, status="error", error=error)

    async def _unchanged(self, calendar: Calendar, fetched: Fetched) -> SyncReport:
        await self._calendars.record_success(calendar.id, fetched, None, now=self._clock.now())
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
        incoming = SourceMeetings(source=calendar.source, planned=meetings, window=window)
        counts = await self._sources.apply(incoming, now=now)
        await self._calendars.record_success(calendar.id, fetched, read, now=now)
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


async def fetch(calendar: Calendar, fetcher: FeedFetcher) -> Fetched:
    """The calendar's feed, from its file or its URL, unless unchanged since the last sync."""
    if calendar.kind is CalendarKind.ICS_FILE:
        return await fetcher.read_file(calendar.location, etag=calendar.etag)
    return await fetcher.fetch_url(
        calendar.location, etag=calendar.etag, last_modified=calendar.last_modified
    )


def failure(exc: Exception) -> str:
    """The one line shown for a calendar that could not be read. Anything but the known
    errors may quote the feed's (secret) URL, so only its type is shown."""
    if isinstance(exc, FeedUnreadable):
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
