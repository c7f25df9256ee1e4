"""Resolving the TZIDs of one feed to zones, from that feed alone, with the fallback rules."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from functools import lru_cache
from typing import Final

from icalendar import Timezone
from icalendar.timezone import tzp
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from service.core.ics.zone_names import display_name_zone, is_microsoft_utc, without_copy_number

_MAX_TZID: Final = 256


@dataclass(frozen=True, slots=True)
class Zone:
    """A resolved zone; ``uncertain`` when it came from a fallback rule."""

    tzinfo: tzinfo
    uncertain: bool


@lru_cache(maxsize=2048)
def iana_zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The IANA zone of that exact name, or None (failed lookups are cached too)."""
    if not name or len(name) > _MAX_TZID:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _global_id_tails(tzid: str) -> Iterator[str]:
    if not tzid.startswith("/"):
        return
    parts = tzid.strip("/").split("/")
    for start in range(1, len(parts)):
        yield "/".join(parts[start:])


def standard_zone(tzid: str) -> zoneinfo.ZoneInfo | None:
    """An IANA zone for an IANA, Windows or globally unique name; None for anything else."""
    if len(tzid) > _MAX_TZID:
        return None
    cleaned = tzid.strip().strip("/")
    found = iana_zone(cleaned)
    if found is None and cleaned in WINDOWS_TO_OLSON:
        found = iana_zone(WINDOWS_TO_OLSON[cleaned])
    for tail in _global_id_tails(tzid.strip()):
        if found is not None:
            break
        found = iana_zone(tail)
    return found


def _defined_zone(definition: Timezone) -> tzinfo | None:
    """A fresh zone built from this feed's VTIMEZONE, bypassing icalendar's shared cache."""
    try:
        built: tzinfo = tzp.create_timezone(definition)
    except Exception:  # icalendar raises many types for a broken VTIMEZONE; treat as absent
        return None
    return built


class ZoneResolver:
    """Resolves the TZIDs of one feed (memoized); make a new one for every feed.

    icalendar resolves TZIDs while parsing, through a process-wide cache of every VTIMEZONE
    it has seen (the first definition of a name wins). A multi-tenant service must not let
    one customer's feed decide another's offsets, so each TZID is resolved again here from
    sources that depend only on this feed: an IANA name (surrounding ``/`` ignored), a
    VTIMEZONE this same feed defines, a Windows zone name (icalendar's CLDR table), or a
    "globally unique" id whose tail is an IANA name (``/mozilla.org/20070129_1/...``).

    Anything else is guessed, and marked uncertain: the name without a trailing
    `` <digits>`` (then the trusted sources again), ``tzone://Microsoft/Utc`` as UTC, the
    OWA display-name table, then the calendar's X-WR-TIMEZONE, else the organisation's zone.
    """

    def __init__(
        self,
        *,
        definitions: Mapping[str, Timezone],
        calendar_zone: tzinfo | None,
        fallback: tzinfo,
    ) -> None:
        self._definitions = definitions
        self._last_resort = Zone(calendar_zone or fallback, uncertain=True)
        self._resolved: dict[str, Zone] = {}
        self._unresolved: set[str] = set()

    @property
    def unresolved(self) -> frozenset[str]:
        """The TZIDs that needed a fallback rule so far."""
        return frozenset(self._unresolved)

    def resolve(self, tzid: str) -> Zone:
        zone = self._resolved.get(tzid)
        if zone is None:
            zone = self._resolve(tzid)
            self._resolved[tzid] = zone
        return zone

    def _resolve(self, tzid: str) -> Zone:
        trusted = self._trusted(tzid)
        if trusted is not None:
            return Zone(trusted, uncertain=False)
        self._unresolved.add(tzid)
        guessed = self._guessed(tzid)
        return self._last_resort if guessed is None else Zone(guessed, uncertain=True)

    def _trusted(self, tzid: str) -> tzinfo | None:
        if len(tzid) > _MAX_TZID:
            return None
        found: tzinfo | None = iana_zone(tzid.strip().strip("/"))
        definition = self._definitions.get(tzid)
        if found is None and definition is not None:
            found = _defined_zone(definition)
        return found if found is not None else standard_zone(tzid)

    def _guessed(self, tzid: str) -> tzinfo | None:
        shorter = without_copy_number(tzid)
        found = None if shorter is None else self._trusted(shorter)
        if found is None and is_microsoft_utc(tzid):
            found = UTC
        if found is None:
            name = display_name_zone(tzid)
            found = None if name is None else iana_zone(name)
        return found
