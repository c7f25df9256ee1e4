"""CalendarSync: fetch each due calendar, turn its events into meetings, follow every change.

A feed that fails keeps its last good events (nothing is removed) and shows its error. A
missing event only counts as gone when the fetch succeeded and the event's time lies inside
both the sync window and the feed's own clip window.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp

from service.calendars import Feed, FeedError, parse_feed
from service.feeds.fetch import FeedFetchError, Fetched, FetchSettings, fetch_url, read_file
from service.model import Calendar, CalendarKind
from service.ports import Clock
from service.rules import RecordingRules
from service.sourcing import Timing, planned_meetings
from service.store.calendars import SqlCalendarStore
from service.store.sources import SqlSourceStore, Window

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncSettings:
    past: timedelta
    ahead: timedelta
    fallback_zone: str
    rules: RecordingRules
    timing: Timing
    fetch: FetchSettings


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
    ) -> None:
        self._calendars = calendars
        self._sources = sources
        self._session = session
        self._clock = clock
        self._settings = settings

    async def sync_due(self) -> list[SyncReport]:
        """Sync every calendar whose interval has passed, one after the other."""
        return [await self.sync(c) for c in await self._calendars.due(self._clock.now())]

    async def sync(self, calendar: Calendar) -> SyncReport:
        try:
            fetched = await fetch(calendar, self._session, self._settings.fetch)
            if fetched.data is None:
                await self._calendars.record_success(
                    calendar.id,
                    now=self._clock.now(),
                    etag=fetched.etag,
                    last_modified=fetched.last_modified,
                    clip=None,
                    counts=None,
                )
                return SyncReport(calendar=calendar.name, status="not_modified")
            return await self._apply(calendar, fetched)
        except (FeedFetchError, FeedError) as exc:
            log.warning("calendar %r: %s (its meetings are kept)", calendar.name, exc)
            await self._calendars.record_failure(calendar.id, now=self._clock.now(), error=str(exc))
            return SyncReport(calendar=calendar.name, status="error", error=str(exc))

    async def _apply(self, calendar: Calendar, fetched: Fetched) -> SyncReport:
        assert fetched.data is not None
        now = self._clock.now()
        start, end = now - self._settings.past, now + self._settings.ahead
        feed = await asyncio.to_thread(
            parse_feed,
            fetched.data,
            window_start=start,
            window_end=end,
            fallback_zone=self._settings.fallback_zone,
        )
        planned = planned_meetings(
            feed,
            source=calendar.source,
            owner_email=calendar.owner_email,
            rules=self._settings.rules,
            timing=self._settings.timing,
            now=now,
        )
        counts = await self._sources.apply(
            calendar.source, planned, window=present_window(feed, start, end), now=now
        )
        await self._calendars.record_success(
            calendar.id,
            now=now,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            clip=(feed.clip_start_at, feed.clip_end_at),
            counts=(len(feed.occurrences), len(planned)),
        )
        return SyncReport(
            calendar=calendar.name,
            status="ok",
            occurrences=len(feed.occurrences),
            meetings=len(planned),
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


def present_window(feed: Feed, start: datetime, end: datetime) -> Window:
    """Where this fetch is complete: the sync window cut to the feed's clip window."""
    if feed.clip_start_at is not None:
        start = max(start, feed.clip_start_at)
    if feed.clip_end_at is not None:
        end = min(end, feed.clip_end_at)
    return Window(start=start, end=max(start, end))
