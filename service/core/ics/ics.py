"""Reading one ICS feed into the occurrences of its events inside a time window (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from typing import Final

from icalendar import Calendar, Component, Event, Timezone

from service.core.ics.expansion import Expander
from service.core.ics.instances import OccurrenceBuilder
from service.core.ics.limits import FeedLimits, FeedMeter, check_size
from service.core.ics.occurrences import Feed, FeedError, Occurrence
from service.core.ics.preparation import prepare_calendar
from service.core.ics.properties import clip_instant
from service.core.ics.timezones import iana_zone

DEFAULT_LIMITS: Final = FeedLimits()


def _utc_bound(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return value.astimezone(UTC)


def _zone(name: str) -> tzinfo:
    zone = iana_zone(name)
    if zone is None:
        raise ValueError(f"fallback_zone {name!r} is not an IANA time zone")
    return zone


def _wrapped(components: list[Component]) -> Calendar:
    calendar = Calendar()
    for component in components:
        calendar.add_component(component)
    return calendar


def read_calendar(data: bytes) -> Calendar:
    """The one VCALENDAR in ``data``; bare top-level VEVENTs (and VTIMEZONEs) are wrapped.

    :raises FeedError: the bytes are not iCalendar, or hold no or several VCALENDARs.
    """
    try:
        components: list[Component] = list(Calendar.from_ical(data, multiple=True))
    except Exception as exc:  # icalendar raises ValueError and others for malformed lines
        # Not chained: icalendar's message quotes the offending line of the feed.
        raise FeedError(f"the data is not valid iCalendar text ({type(exc).__name__})") from None
    calendars = [item for item in components if isinstance(item, Calendar)]
    if len(calendars) == 1 and len(components) == 1:
        return calendars[0]
    if calendars:
        raise FeedError(f"the feed holds {len(components)} top-level components, not one VCALENDAR")
    if components and all(isinstance(item, Event | Timezone) for item in components):
        return _wrapped(components)
    raise FeedError("the feed holds no VCALENDAR")


def _unique(occurrences: Iterable[Occurrence]) -> tuple[list[Occurrence], list[tuple[str, str]]]:
    """The occurrences sorted by start then key, each key once (the first kept)."""
    kept: list[Occurrence] = []
    dropped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for occurrence in sorted(occurrences, key=lambda item: (item.start_at, item.key)):
        if occurrence.key in seen:
            dropped.append((occurrence.uid, "duplicate occurrence key"))
        else:
            seen.add(occurrence.key)
            kept.append(occurrence)
    return kept, dropped


def parse_feed(
    data: bytes,
    *,
    window_start: datetime,
    window_end: datetime,
    fallback_zone: str,
    limits: FeedLimits = DEFAULT_LIMITS,
) -> Feed:
    """The occurrences of the feed's events that overlap ``[window_start, window_end)``.

    Events without DTSTART, with an unparseable date value, or over a per-event limit
    (each then with its whole series), are left out and listed in ``Feed.dropped``.
    Cancelled and all-day occurrences are returned, flagged; the caller decides what to book.

    :raises FeedError: ``data`` is not exactly one readable VCALENDAR, cannot be expanded,
        or exceeds a feed limit.
    :raises ValueError: a bound is naive, the window is empty, or ``fallback_zone`` is unknown.
    """
    start = _utc_bound(window_start, "window_start")
    end = _utc_bound(window_end, "window_end")
    if end <= start:
        raise ValueError("window_end must be after window_start")
    fallback = _zone(fallback_zone)
    check_size(data, limits)
    calendar = read_calendar(data)
    prepared = prepare_calendar(calendar, fallback=fallback, window_end=end, limits=limits)
    expander = Expander(FeedMeter(limits, planned=prepared.planned))
    builder = OccurrenceBuilder(prepared)
    built = (builder.build(component) for component in expander.copies(calendar, start, end))
    occurrences, duplicates = _unique(item for item in built if item is not None)
    return Feed(
        occurrences=tuple(occurrences),
        dropped=prepared.dropped + tuple(expander.dropped) + tuple(duplicates),
        unresolved_tzids=prepared.unresolved_tzids,
        clip_start_at=clip_instant(calendar, "X-CLIPSTART"),
        clip_end_at=clip_instant(calendar, "X-CLIPEND"),
    )
