"""The calendar ports: the calendars autojoin reads (``CalendarStore``), and getting a feed's
bytes (``FeedFetcher``) and reading them into meetings (``FeedParser``)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from service.core.feed_reading import FeedJob, Fetched
from service.core.model import Calendar, CalendarKind
from service.core.sourcing import Sourced


class CalendarStore(Protocol):
    """The calendars autojoin reads, and how each one's last sync went (see
    ``SqlCalendarStore``); besides what is listed, every method raises what the store fails
    with while it cannot be reached (see the package)."""

    async def add(
        self,
        *,
        name: str,
        kind: CalendarKind,
        location: str,
        owner_email: str | None,
        interval: timedelta,
        now: datetime,
    ) -> Calendar:
        """Add a calendar, never synced yet, to be read every ``interval``; the calendar.

        :raises InputError: a calendar with this name exists.
        """
        ...

    async def get(self, name: str) -> Calendar:
        """The calendar called ``name``.

        :raises CalendarNotFound: no calendar has this name.
        """
        ...

    async def all(self) -> list[Calendar]:
        """Every calendar, by name."""
        ...

    async def due(self, now: datetime) -> list[Calendar]:
        """Calendars whose next sync is due (never tried, or tried an interval ago)."""
        ...

    async def remove(self, name: str, *, now: datetime, freeze: timedelta) -> int:
        """Remove the calendar called ``name`` and, all or nothing, its source from every
        meeting (each settled: one no other source brings wants no bot any more, and a bot
        booked for it is cancelled unless inside the ``freeze`` window); how many meetings
        lost this source.

        :raises CalendarNotFound: no calendar is called ``name``.
        """
        ...

    async def record_success(
        self, calendar_id: int, fetched: Fetched, read: Sourced | None, *, now: datetime
    ) -> None:
        """A good sync: the fetch's new validators, no error; the feed's own window (its
        clip) and its counts (occurrences, meetings) only when it was ``read`` (None: it did
        not change, so it was not parsed)."""
        ...

    async def record_failure(self, calendar_id: int, *, now: datetime, error: str) -> None:
        """A failed sync: its one-line ``error`` is shown; the last good events are kept."""
        ...


class FeedFetcher(Protocol):
    """A feed's bytes, fetched from its URL or read from its file, with the validators that
    tell next time whether it changed (see ``HttpFeedFetcher``)."""

    async def fetch_url(self, url: str, *, etag: str | None, last_modified: str | None) -> Fetched:
        """The feed at ``url``, asked for only if it changed since ``etag``/``last_modified``
        (``data`` None when it did not; without either, the whole feed always comes).

        :raises FeedUnreadable: it could not be fetched (refused address, network, HTTP
            status, too large, too slow); the message never holds the URL.
        """
        ...

    async def read_file(self, path: str, *, etag: str | None) -> Fetched:
        """The feed in the file at ``path``; its content hash is its ``etag`` (``data`` None
        when it equals the one given; with ``etag`` None, the whole feed always comes).

        :raises FeedUnreadable: the file cannot be read, or is too large.
        """
        ...


class FeedParser(Protocol):
    """``read_feed`` somewhere else than on the event loop (a thread, worker processes)."""

    @property
    def parallel(self) -> int:
        """Feeds worth fetching and parsing at once with this parser (at least 1)."""
        ...

    async def __call__(self, data: bytes, job: FeedJob) -> Sourced:
        """The meetings the feed ``data`` holds, read as ``job`` says.

        :raises FeedError: the feed is not a calendar, or is over a limit.
        :raises FeedUnreadable: the process reading it died (the others go on).
        """
        ...
