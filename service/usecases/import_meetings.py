"""Importing meetings: a JSON list or an .ics file becomes one source's meetings.

Both are judged by the same rules as a calendar feed and stored in one transaction; an
import never removes a meeting (a file is a partial source). Validating and parsing are CPU
work on untrusted input: they run off the event loop, in a thread or the parser's workers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from service.core.feed_reading import ReadSettings
from service.core.json_meetings import JSON_SOURCE, parse_rows
from service.core.ports import Clock, FeedParser, SourceStore
from service.core.sourcing import ApplyCounts, SourcedMeeting, SourceMeetings, judged, planned
from service.core.untrusted import clean_key
from service.usecases.sync_calendars import log_skipped

SOURCE_LIMIT: Final = 64
"""The store's source column holds 64 characters (``file:<name>``)."""


def file_source(name: str) -> str:
    """The source an imported .ics file's meetings are stored under: ``file:<name>``."""
    return clean_key(f"file:{name}", limit=SOURCE_LIMIT)


class ImportMeetings:
    def __init__(
        self, *, sources: SourceStore, parser: FeedParser, clock: Clock, read: ReadSettings
    ) -> None:
        self._sources = sources
        self._parser = parser
        self._clock = clock
        self._read = read

    async def json(self, rows: Any) -> ApplyCounts:
        """Add or update the meetings of a JSON list (re-importing updates in place): every
        row is validated first, and they are stored only if every row is good.

        :raises InputError: a row is invalid (nothing is stored).
        """
        now = self._clock.now()
        meetings = await asyncio.to_thread(self._judged_rows, rows, now)
        return await self._apply(JSON_SOURCE, meetings, now)

    async def ics(self, data: bytes, *, name: str, owner_email: str | None) -> ApplyCounts:
        """Add or update the meetings of the .ics file called ``name``, inside the sync
        window; ``owner_email`` is whose calendar it is (for the rules on replies).

        :raises FeedError: the file is not a calendar, or over a limit (nothing is stored).
        :raises FeedUnreadable: the parse worker reading it died (``WorkerDied``).
        """
        now, source = self._clock.now(), file_source(name)
        read = await self._parser(
            data, self._read.job(source=source, owner_email=owner_email, now=now)
        )
        log_skipped(source, read.skipped)
        return await self._apply(source, read.meetings, now)

    async def _apply(
        self, source: str, meetings: Sequence[SourcedMeeting], now: datetime
    ) -> ApplyCounts:
        """Store an import's meetings: a partial source, so nothing of it vanishes."""
        planned_ = planned(meetings, self._read.timing)
        incoming = SourceMeetings(source=source, planned=planned_, window=None)
        return await self._sources.apply(incoming, now=now)

    def _judged_rows(self, rows: Any, now: datetime) -> list[SourcedMeeting]:
        return [
            SourcedMeeting(meeting=judged(meeting, rules=self._read.rules, now=now))
            for meeting in parse_rows(rows)
        ]
