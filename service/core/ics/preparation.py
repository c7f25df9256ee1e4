"""Cleaning one parsed calendar before expansion: drops, missing UIDs, zones, default ends."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from icalendar.prop import vBroken, vDDDTypes

from service.core.ics.limits import FeedLimits
from service.core.ics.localizing import anchor_event
from service.core.ics.properties import (
    integer,
    keyword,
    property_values,
    range_parameter,
    text,
    when,
)
from service.core.ics.recurrence import planned_repetitions, recurrence_defect
from service.core.ics.sources import SOURCE_MARK, LinkFinder, Source, describe
from service.core.ics.stamps import is_day, stamp
from service.core.ics.timezones import Zone, ZoneResolver, standard_zone

# RFC 5545 gives a timed event without DTEND or DURATION no length; a meeting needs one.
DEFAULT_TIMED_LENGTH: Final = timedelta(hours=1)
DEFAULT_DAY_LENGTH: Final = timedelta(days=1)
NO_DTSTART: Final = "no DTSTART"
BROKEN_SERIES: Final = "another event of its series is unparseable"
_CHECKED: Final = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "RDATE", "EXDATE", "RRULE")
_HASHED: Final = ("SUMMARY", "DTSTART", "DTEND", "DURATION", "RRULE", "LOCATION")
_X_WR_TIMEZONE: Final = "X-WR-TIMEZONE"
_OWN_DEFECTS: Final = ("unparseable ", "DTSTART is neither")


@dataclass(frozen=True, slots=True, kw_only=True)
class Prepared:
    """What occurrence building needs to know about the cleaned calendar.

    ``day_zone`` places all-day dates (X-WR-TIMEZONE, else the organisation's zone).
    ``sources`` describes each kept VEVENT, in the order of the index its copies carry.
    ``master_status`` is the STATUS of each series' master by UID; ``moved_by`` is the
    shift of each ``RANGE=THISANDFUTURE`` override, by (UID, RECURRENCE-ID stamp).
    ``planned`` is how many rule periods each series (by UID) steps through before the
    window ends: charged to the feed's budget before expansion starts.
    """

    dropped: tuple[tuple[str, str], ...]
    unresolved_tzids: tuple[str, ...]
    day_zone: tzinfo
    sources: tuple[Source, ...]
    master_status: Mapping[str, str]
    moved_by: Mapping[tuple[str, str], timedelta]
    planned: Mapping[str, int]


def _defect(event: Event, window_end: datetime, limits: FeedLimits) -> str | None:
    if event.get("DTSTART") is None:
        return NO_DTSTART
    for name in _CHECKED:
        if any(isinstance(value, vBroken) for value in property_values(event.get(name))):
            return f"unparseable {name}"
    if when(event, "DTSTART") is None:
        return "DTSTART is neither a date nor a date-time"
    return recurrence_defect(event, window_end=window_end, limit=limits.max_event_repetitions)


def _series_reason(why: str) -> str:
    """Why the other events of a series go when one of them has defect ``why``."""
    if why.startswith(_OWN_DEFECTS):
        return BROKEN_SERIES
    return f"its series {why}"  # a rule over a limit: no instance of the series is trusted


def _drop_unusable(
    calendar: Calendar, window_end: datetime, limits: FeedLimits
) -> tuple[list[Event], list[tuple[str, str]]]:
    """Remove the events the library cannot (or must not) expand; a defect other than a
    missing DTSTART drops its whole series."""
    events = [item for item in calendar.subcomponents if isinstance(item, Event)]
    defects = [_defect(event, window_end, limits) for event in events]
    uids = [text(event, "UID") for event in events]
    pairs = list(zip(uids, defects, strict=True))
    # The first defect of each series (other than a missing DTSTART, which is that event's
    # alone) says why the rest of the series goes too.
    broken = {
        uid: _series_reason(why)
        for uid, why in reversed(pairs)
        if uid and why not in (None, NO_DTSTART)
    }
    kept: list[Event] = []
    dropped: list[tuple[str, str]] = []
    for event, (uid, why) in zip(events, pairs, strict=True):
        reason = why or broken.get(uid)
        if reason is None:
            kept.append(event)
        else:
            dropped.append((uid or "?", reason))
    keep = {id(event) for event in kept}
    calendar.subcomponents = [
        item for item in calendar.subcomponents if not isinstance(item, Event) or id(item) in keep
    ]
    return kept, dropped


def _content_uid(event: Event) -> str:
    """A UID for an event that has none, stable while the event's content is unchanged."""
    digest = hashlib.sha256()
    for name in _HASHED:
        for value in property_values(event.get(name)):
            digest.update(name.encode() + b":" + value.to_ical() + b"\n")
    return f"autojoin-no-uid-{digest.hexdigest()[:24]}"


def _give_uids(events: list[Event]) -> None:
    """Identical events without a UID stay apart: the second gets ``-2``, and so on."""
    copies: dict[str, int] = {}
    for event in events:
        if not text(event, "UID"):
            base = _content_uid(event)
            copies[base] = copies.get(base, 0) + 1
            event["UID"] = base if copies[base] == 1 else f"{base}-{copies[base]}"


def _calendar_zone(calendar: Calendar) -> tuple[ZoneInfo | None, str | None]:
    """The X-WR-TIMEZONE zone, rewritten to its IANA name; (None, raw) when unknown."""
    raw = text(calendar, _X_WR_TIMEZONE).strip()
    zone = standard_zone(raw) if raw else None
    calendar.pop(_X_WR_TIMEZONE, None)  # x-wr-timezone raises on a name zoneinfo lacks
    if zone is None:
        return None, raw or None
    calendar[_X_WR_TIMEZONE] = zone.key
    return zone, None


def _default_end(event: Event) -> bool:
    """Give an event without DTEND or DURATION a default length; True if it needed one."""
    if event.get("DTEND") is not None or event.get("DURATION") is not None:
        return False
    timed = isinstance(when(event, "DTSTART"), datetime)
    event["DURATION"] = vDDDTypes(DEFAULT_TIMED_LENGTH if timed else DEFAULT_DAY_LENGTH)
    return True


def _prepare_events(
    events: list[Event], resolver: ZoneResolver, floating: Zone | None
) -> tuple[Source, ...]:
    """Anchor times and default ends in place; mark each event with its source index."""
    find_link = LinkFinder()
    sources: list[Source] = []
    for index, event in enumerate(events):
        event.pop(SOURCE_MARK, None)
        uncertain = anchor_event(event, resolver.resolve, floating)
        assumed = _default_end(event)
        sources.append(describe(event, find_link, time_uncertain=uncertain, end_assumed=assumed))
        event[SOURCE_MARK] = str(index)
    return tuple(sources)


def _master_status(events: list[Event]) -> dict[str, str]:
    """STATUS of each series' master; of several masters the highest SEQUENCE wins."""
    best: dict[str, tuple[int, str]] = {}
    for event in events:
        if event.get("RECURRENCE-ID") is None:
            uid = text(event, "UID")
            candidate = (integer(event, "SEQUENCE"), keyword(event, "STATUS"))
            if uid not in best or candidate[0] >= best[uid][0]:
                best[uid] = candidate
    return {uid: status for uid, (_, status) in best.items()}


def _moved_by(events: list[Event], zone: tzinfo) -> dict[tuple[str, str], timedelta]:
    """How far each THISANDFUTURE override moves its instances, to recover their slots."""
    moved: dict[tuple[str, str], timedelta] = {}
    for event in events:
        if range_parameter(event) != "THISANDFUTURE":
            continue
        start, slot = when(event, "DTSTART"), when(event, "RECURRENCE-ID")
        if start is not None and slot is not None and is_day(start) == is_day(slot):
            key = stamp(slot, all_day=is_day(start), zone=zone)
            moved[(text(event, "UID"), key)] = start - slot
    return moved


def _planned(events: list[Event], window_end: datetime) -> dict[str, int]:
    planned: dict[str, int] = {}
    for event in events:
        uid = text(event, "UID")
        planned[uid] = planned.get(uid, 0) + planned_repetitions(event, window_end)
    return planned


def prepare_calendar(
    calendar: Calendar,
    *,
    fallback: tzinfo,
    window_end: datetime,
    limits: FeedLimits,
) -> Prepared:
    """Clean ``calendar`` in place so that expansion neither raises nor guesses silently,
    and drop the events whose rules repeat sub-minute or too often before ``window_end``."""
    calendar_zone, bad_zone = _calendar_zone(calendar)
    events, dropped = _drop_unusable(calendar, window_end, limits)
    _give_uids(events)
    definitions = {
        str(item["TZID"]): item
        for item in calendar.subcomponents
        if isinstance(item, Timezone) and item.get("TZID") is not None
    }
    resolver = ZoneResolver(definitions=definitions, calendar_zone=calendar_zone, fallback=fallback)
    floating = None if calendar_zone else Zone(fallback, uncertain=True)
    sources = _prepare_events(events, resolver, floating)
    day_zone = calendar_zone or fallback
    return Prepared(
        dropped=tuple(dropped),
        unresolved_tzids=tuple(sorted(resolver.unresolved | ({bad_zone} if bad_zone else set()))),
        day_zone=day_zone,
        sources=sources,
        master_status=_master_status(events),
        moved_by=_moved_by(events, day_zone),
        planned=_planned(events, window_end),
    )
