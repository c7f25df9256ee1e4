"""Re-anchoring the DATE-TIME values of one VEVENT in the zones its feed resolves to."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from icalendar import Event
from icalendar.timezone import tzp

from service.core.ics.properties import property_values
from service.core.ics.timezones import Zone

# Every VEVENT property whose value icalendar parses with the TZID parameter.
DATETIME_PROPERTIES: Final = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")

ZoneOf = Callable[[str], Zone]


def _holders(prop: Any) -> list[Any]:
    """The objects carrying ``.dt``: the property itself, or each entry of a list value."""
    dts = getattr(prop, "dts", None)
    return list(dts) if dts is not None else [prop]


def _anchored(value: datetime, zone: Zone, *, tzid: bool) -> tuple[datetime, bool]:
    """``value`` as wall-clock time in ``zone``, and whether the zone applies to it at all."""
    if not tzid and value.tzinfo is not None:
        return value, False  # a UTC ("Z") time: it is an instant already
    if value.tzinfo is zone.tzinfo:
        return value, True
    localized: datetime = tzp.localize(value.replace(tzinfo=None), zone.tzinfo)
    return localized, True


def _anchor_value(value: Any, zone: Zone, *, tzid: bool) -> tuple[Any, bool]:
    """A datetime, date or RDATE period re-anchored, and whether the zone applied to it."""
    if isinstance(value, tuple):
        parts = [_anchor_value(part, zone, tzid=tzid) for part in value]
        return tuple(part for part, _ in parts), any(applied for _, applied in parts)
    if not isinstance(value, datetime):
        return value, False
    return _anchored(value, zone, tzid=tzid)


def _anchor_property(prop: Any, zone_of: ZoneOf, floating: Zone | None) -> bool:
    """Re-anchor one property in place; True when a guessed zone was applied."""
    tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
    zone = zone_of(str(tzid)) if tzid else floating
    if zone is None:
        return False
    applied = False
    for holder in _holders(prop):
        value, used = _anchor_value(holder.dt, zone, tzid=bool(tzid))
        if value is not holder.dt:
            holder.dt = value
        applied |= used
    return applied and zone.uncertain


def anchor_event(event: Event, zone_of: ZoneOf, floating: Zone | None) -> bool:
    """Re-anchor every DATE-TIME of ``event`` in place; True if any zone was guessed.

    Values with a TZID get the zone ``zone_of`` resolves for it. Floating values get
    ``floating`` (None leaves them for X-WR-TIMEZONE to place); UTC values stay as they are.
    """
    guessed = False
    for name in DATETIME_PROPERTIES:
        for prop in property_values(event.get(name)):
            guessed |= _anchor_property(prop, zone_of, floating)
    return guessed
