"""Preview: what would be recorded in a window under the configured rules, from a feed's
bytes or a stored calendar, touching neither the store's meetings nor the Mavera API."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from service.core.errors import InputError
from service.core.feed_reading import parse_here
from service.core.ics import Feed, FeedLimits
from service.core.ports import CalendarStore, Clock, FeedFetcher
from service.core.redaction import redact_meeting_url
from service.core.rules import RecordingRules
from service.core.sourcing import judge, skipped
from service.core.timestamps import utc_iso
from service.usecases.sync_calendars import fetch, log_skipped


def preview(
    feed: Feed, *, rules: RecordingRules, owner_email: str | None, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Every occurrence in ``[start, end)``, recorded or skipped, with the reason, by start.

    Nothing has "ended" in a preview: it answers what the rules would do in that window.
    """
    rows = []
    for occurrence in feed.occurrences:
        if not (start <= occurrence.start_at < end):
            continue
        verdict = judge(occurrence, owner_email=owner_email, rules=rules, now=start)
        link = occurrence.link
        rows.append(
            {
                "start": utc_iso(occurrence.start_at),
                "end": utc_iso(occurrence.end_at),
                "title": occurrence.title,
                "decision": "record" if verdict.record else "skip",
                "reason": None if verdict.record else str(verdict.reason),
                "platform": link.platform.value if link else None,
                "meeting_url": redact_meeting_url(link.url) if link else None,
                "time_uncertain": occurrence.time_uncertain,
            }
        )
    return sorted(rows, key=lambda row: (row["start"], row["title"]))


@dataclass(frozen=True, slots=True, kw_only=True)
class PreviewSettings:
    rules: RecordingRules
    fallback_zone: str
    limits: FeedLimits
    ahead: timedelta
    """A window's default end, after now: the sync window's."""


class PreviewFeed:
    """What the rules would record from a feed, touching neither the store nor Mavera."""

    def __init__(self, *, clock: Clock, settings: PreviewSettings) -> None:
        self._clock = clock
        self._settings = settings

    def window(self, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
        """``[start, end)``, from now and to the sync window's end by default.

        :raises InputError: ``end`` (``where="end"``) is not after ``start``.
        """
        now = self._clock.now()
        begin = start if start is not None else now
        finish = end if end is not None else now + self._settings.ahead
        if finish <= begin:
            raise InputError("end", "must be after start")
        return begin, finish

    async def __call__(
        self, data: bytes, *, owner_email: str | None, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """Every occurrence of the feed in ``data`` in ``[start, end)``, recorded or skipped,
        with the reason; parsed in a thread, never on the event loop.

        :raises FeedError: ``data`` is not a calendar, or over a limit.
        """
        settings = self._settings
        feed = await asyncio.to_thread(
            parse_here, data, start, end, settings.fallback_zone, settings.limits
        )
        log_skipped("preview", skipped(feed))
        return preview(feed, rules=settings.rules, owner_email=owner_email, start=start, end=end)


class PreviewCalendar:
    """A preview of a stored calendar: its whole feed, read now (no validators sent)."""

    def __init__(
        self,
        *,
        calendars: CalendarStore,
        fetcher: FeedFetcher,
        feed: PreviewFeed,
    ) -> None:
        self._calendars = calendars
        self._fetcher = fetcher
        self._feed = feed

    async def __call__(
        self, name: str, *, owner_email: str | None, start: datetime, end: datetime
    ) -> list[dict[str, Any]]:
        """The preview of the calendar called ``name``; whose calendar it is: ``owner_email``,
        else the calendar's owner.

        :raises CalendarNotFound: no calendar is called ``name``.
        :raises FeedUnreadable: the feed could not be read.
        :raises FeedError: the feed is not a calendar, or over a limit.
        """
        calendar = await self._calendars.get(name)
        fetched = await fetch(replace(calendar, etag=None, last_modified=None), self._fetcher)
        assert fetched.data is not None  # no validators were sent: the whole feed came
        owner = owner_email or calendar.owner_email
        return await self._feed(fetched.data, owner_email=owner, start=start, end=end)
