"""Reading a feed: what a fetch brings back, how one calendar's feed is read (the window, the
zone, the limits, the rules), ``read_feed``, the pure step from bytes to meetings, and what a
sync records on its calendar.

Where ``read_feed`` runs (a thread, a worker process) is the adapters' choice
(``adapters.feeds.parsing``); what it does is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from service.core.ics import Feed, FeedLimits
from service.core.rules import RecordingRules
from service.core.sourcing import Sourced, sourced
from service.core.timing import Timing


@dataclass(frozen=True, slots=True, kw_only=True)
class Fetched:
    """A feed's bytes and validators; ``data`` is None when the feed did not change since the
    validators we sent."""

    data: bytes | None
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedJob:
    """How to read one calendar's feed: the window to expand, and whose meetings they are."""

    window_start: datetime
    window_end: datetime
    fallback_zone: str
    limits: FeedLimits
    source: str
    owner_email: str | None
    rules: RecordingRules
    now: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadSettings:
    """How every feed is read: the window around now to expand, the zone for times without
    one, the limits on what a feed may cost, the rules that judge its occurrences, and the
    timing that gives the meetings stored from it their first dispatch times (applied where
    they are stored, not where the feed is parsed)."""

    past: timedelta
    ahead: timedelta
    fallback_zone: str
    limits: FeedLimits
    rules: RecordingRules
    timing: Timing

    def job(self, *, source: str, owner_email: str | None, now: datetime) -> FeedJob:
        return FeedJob(
            window_start=now - self.past,
            window_end=now + self.ahead,
            fallback_zone=self.fallback_zone,
            limits=self.limits,
            source=source,
            owner_email=owner_email,
            rules=self.rules,
            now=now,
        )


def synced_fields(fetched: Fetched, read: Sourced | None, *, now: datetime) -> dict[str, object]:
    """What a good sync records on its calendar, by field: the new validators and no error;
    the feed's own window (its clip) and its counts (occurrences, meetings) only if it was
    ``read`` (None: the feed did not change, so it was not parsed)."""
    fields: dict[str, object] = {
        "etag": fetched.etag,
        "last_modified": fetched.last_modified,
        "last_attempt_at": now,
        "last_success_at": now,
        "last_error": None,
    }
    if read is not None:
        fields.update(clip_start=read.clip_start_at, clip_end=read.clip_end_at)
        fields.update(event_count=read.occurrences, meeting_count=len(read.meetings))
    return fields


def failed_fields(*, now: datetime, error: str) -> dict[str, object]:
    """What a failed sync records on its calendar: the error; its last good events stay."""
    return {"last_attempt_at": now, "last_error": error}


def read_feed(data: bytes, job: FeedJob) -> Sourced:
    """Parse a feed and judge its occurrences, in this thread (pure: data in, meetings out).

    :raises FeedError: the data is not one calendar, or is over a limit.
    """
    feed = parse_here(data, job.window_start, job.window_end, job.fallback_zone, job.limits)
    return sourced(
        feed,
        source=job.source,
        owner_email=job.owner_email,
        rules=job.rules,
        now=job.now,
    )


def parse_here(
    data: bytes, start: datetime, end: datetime, fallback_zone: str, limits: FeedLimits
) -> Feed:
    """``parse_feed`` in this thread; the parser's libraries load on the first call.

    :raises FeedError: the data is not one calendar, or is over a limit.
    """
    from service.core.ics.ics import parse_feed  # here, not at the top: kept out of the daemon

    return parse_feed(
        data, window_start=start, window_end=end, fallback_zone=fallback_zone, limits=limits
    )
