"""How much one feed may cost to read: the limits, the cheap checks on its raw bytes, and the
meter that counts the repetitions and occurrences an expansion produces (pure, stdlib only).

Calendars are untrusted input: anyone who can send an invitation writes into them. A limit
that a whole feed exceeds raises `FeedError`; a limit that one event exceeds skips that
event (and its series) with a reason, and the rest of the feed still works.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from service.core.errors import ServiceError
from service.core.ics.occurrences import FeedError

# Meetings never repeat faster than this; a series that does is not a meeting series.
MIN_REPEAT_GAP: Final = timedelta(minutes=1)
SUB_MINUTE: Final = "repeats more often than once a minute"

# icalendar unfolds with the same expression (written so that runs of bare line breaks cost
# linear time); a VEVENT whose BEGIN line is folded still counts.
_FOLD: Final = re.compile(rb"(?:(?<!\n)\r\n|(?<![\r\n])\n)(?:\r?\n)*[ \t]")
_BEGIN_VEVENT: Final = re.compile(rb"^begin(?:;[^:\r\n]*)?:vevent[ \t]*\r?$", re.I | re.M)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedLimits:
    """The bounds on one feed (the ``calendars:`` keys of the same names, ``max_feed_*``
    and ``max_event_*``).

    ``max_lines`` and ``max_events`` are checked on the raw bytes, before icalendar builds
    anything. A repetition is one step of a series from its DTSTART to the window's end,
    inside the window or not: ``max_event_repetitions`` bounds the work spent reaching the
    window, ``max_event_occurrences`` what one event may put inside it.
    """

    max_lines: int = 1_000_000
    max_events: int = 50_000
    max_repetitions: int = 3_000_000
    max_occurrences: int = 50_000
    max_event_repetitions: int = 50_000
    max_event_occurrences: int = 5_000


class EventSkipped(ServiceError):
    """One event exceeded a per-event limit; it is skipped with ``reason``."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def too_many_repetitions(limit: int) -> str:
    return (
        f"repeats more than {limit} times before the window ends (calendars.max_event_repetitions)"
    )


def too_many_occurrences(limit: int) -> str:
    return f"has more than {limit} occurrences in the window (calendars.max_event_occurrences)"


def check_size(data: bytes, limits: FeedLimits) -> None:
    """Refuse a feed with too many lines or VEVENTs before any of it is parsed.

    :raises FeedError: more than ``max_lines`` lines or ``max_events`` VEVENTs.
    """
    lines = data.count(b"\n") + 1  # an upper bound of icalendar's content lines
    if lines > limits.max_lines:
        raise FeedError(
            f"the feed has more than {limits.max_lines} lines (calendars.max_feed_lines)"
        )
    events = sum(1 for _ in _BEGIN_VEVENT.finditer(_FOLD.sub(b"", data)))
    if events > limits.max_events:
        raise FeedError(
            f"the feed holds more than {limits.max_events} events (calendars.max_feed_events)"
        )


class FeedMeter:
    """Counts what expanding one feed costs; raises FeedError past the feed's limits.

    ``planned`` is each series' estimate of its repetitions (by UID), charged at once; a
    series is charged again only for the repetitions it steps beyond its estimate.
    """

    def __init__(self, limits: FeedLimits, *, planned: Mapping[str, int]) -> None:
        self.limits = limits
        self._planned = planned
        self._repetitions = 0
        self._occurrences = 0
        self.repeat(sum(planned.values()))

    def repeat(self, count: int = 1) -> None:
        self._repetitions += count
        if self._repetitions > self.limits.max_repetitions:
            raise FeedError(
                f"the feed's events repeat more than {self.limits.max_repetitions} times "
                "before the window ends (calendars.max_feed_repetitions)"
            )

    def occur(self, count: int) -> None:
        self._occurrences += count
        if self._occurrences > self.limits.max_occurrences:
            raise FeedError(
                f"the feed has more than {self.limits.max_occurrences} occurrences "
                "in the window (calendars.max_feed_occurrences)"
            )

    def series(self, uid: str) -> SeriesMeter:
        return SeriesMeter(self, credit=self._planned.get(uid, 0))


class SeriesMeter:
    """Counts the repetitions of one series; those beyond its ``credit`` (the estimate
    already charged) are charged to its feed as well."""

    def __init__(self, feed: FeedMeter, *, credit: int) -> None:
        self._feed = feed
        self._credit = credit
        self._repetitions = 0

    def step(self, start: datetime, previous: datetime | None) -> None:
        """One more repetition at ``start``; ``previous`` is the last one of the same rule.

        :raises EventSkipped: too many repetitions, or two of them less than a minute apart.
        :raises FeedError: the feed as a whole repeats too often.
        """
        self._repetitions += 1
        limit = self._feed.limits.max_event_repetitions
        if self._repetitions > limit:
            raise EventSkipped(too_many_repetitions(limit))
        if previous is not None and timedelta(0) < start - previous < MIN_REPEAT_GAP:
            raise EventSkipped(SUB_MINUTE)
        if self._repetitions > self._credit:
            self._feed.repeat()
