"""FakeFeeds: calendar feeds without HTTP or a parser, for the calendar sync's unit tests.

A feed is a list of meetings (``PlannedMeeting``) under a location; ``fetch_url`` and
``read_file`` (the ``FeedFetcher`` port) answer with an ETag that changes when the list does,
or "not modified"; ``__call__`` (the ``FeedParser`` port) gives back the meetings as the
parser would have read them (their times are given where they are
stored, as in the daemon). A location in ``failing`` raises ``FeedUnreadable``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from service.core.errors import FeedUnreadable
from service.core.feed_reading import FeedJob, Fetched
from service.core.sourcing import Sourced, SourcedMeeting
from service.core.timing import PlannedMeeting


@dataclass(slots=True)
class FakeFeeds:
    feeds: dict[str, list[PlannedMeeting]] = field(default_factory=dict)
    failing: dict[str, str] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)
    _by_data: dict[bytes, list[PlannedMeeting]] = field(default_factory=dict)

    @property
    def parallel(self) -> int:
        return 2

    async def fetch_url(self, url: str, *, etag: str | None, last_modified: str | None) -> Fetched:
        return self._fetch(url, etag)

    async def read_file(self, path: str, *, etag: str | None) -> Fetched:
        return self._fetch(path, etag)

    async def __call__(self, data: bytes, job: FeedJob) -> Sourced:
        meetings = [
            SourcedMeeting(meeting=replace(item.meeting, source=job.source), may_create=True)
            for item in self._by_data[data]
        ]
        return Sourced(
            meetings=meetings,
            occurrences=len(meetings),
            clip_start_at=None,
            clip_end_at=None,
            skipped=(),
        )

    def _fetch(self, location: str, etag: str | None) -> Fetched:
        self.fetched.append(location)
        if location in self.failing:
            raise FeedUnreadable(self.failing[location])
        items = self.feeds[location]
        data = repr([(i.meeting.source_key, i.meeting.start_at, i.meeting.title) for i in items])
        body = data.encode()
        tag = hashlib.sha256(body).hexdigest()[:16]
        self._by_data[body] = items
        if tag == etag:
            return Fetched(data=None, etag=tag, last_modified=None)
        return Fetched(data=body, etag=tag, last_modified=None)
