"""The values `parse_feed` returns (occurrences, attendees, the feed) and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from service.core.errors import FeedUnreadable
from service.core.meeting_links import NormalizedLink


class FeedError(FeedUnreadable, ValueError):
    """A calendar feed that cannot be read as one iCalendar calendar.

    The message says what is wrong with the data; it never holds the feed's address and
    never quotes the feed's content (which may carry passcodes).
    """

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(f"calendar feed error: {problem}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Attendee:
    """One ATTENDEE of an event: lower-case email, PARTSTAT and ROLE in upper case."""

    email: str
    partstat: str
    role: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Occurrence:
    """One occurrence of a calendar event inside the requested window.

    ``key`` identifies the occurrence across syncs: ``"<UID>|<stamp>"``, where the stamp
    is the occurrence's RECURRENCE-ID (the original slot, which survives a reschedule) in
    UTC as ``YYYYMMDDTHHMMSSZ``, or ``YYYYMMDD`` for an all-day occurrence. A one-off event
    (no RRULE, RDATE or RECURRENCE-ID) is ``"<UID>|"``: its UID alone names it, so moving
    it keeps its key. Read it back with ``key.rpartition("|")``.

    ``start_at`` and ``end_at`` are aware UTC; an all-day occurrence starts at midnight in
    the calendar's zone. ``time_uncertain`` means a time zone had to be guessed (a TZID
    resolved by a fallback rule, or a floating time with no calendar zone). ``end_assumed``
    means the event had neither DTEND nor DURATION, so a default length was used.
    """

    uid: str
    key: str
    title: str
    start_at: datetime
    end_at: datetime
    all_day: bool
    cancelled: bool
    tentative: bool
    sequence: int
    link: NormalizedLink | None
    organizer: str | None
    attendees: tuple[Attendee, ...]
    time_uncertain: bool
    end_assumed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    """What one ICS feed holds inside the window.

    ``dropped`` lists the events left out before expansion as ``(uid or "?", reason)``.
    ``unresolved_tzids`` are the zone names that needed a fallback rule. ``clip_start_at``
    and ``clip_end_at`` are Outlook's X-CLIPSTART/X-CLIPEND: events outside that range are
    missing from the feed, which does not mean they were deleted.
    """

    occurrences: tuple[Occurrence, ...]
    dropped: tuple[tuple[str, str], ...] = ()
    unresolved_tzids: tuple[str, ...] = ()
    clip_start_at: datetime | None = None
    clip_end_at: datetime | None = None
