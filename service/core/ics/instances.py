"""Turning the expanded VEVENT copies the library returns into `Occurrence` values."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from icalendar import Component

from service.core.ics.occurrences import Occurrence
from service.core.ics.preparation import Prepared
from service.core.ics.properties import integer, range_parameter, when
from service.core.ics.sources import LinkFinder, Source, describe, source_index
from service.core.ics.stamps import stamp, to_utc
from service.core.untrusted import clean_key


class OccurrenceBuilder:
    """Builds the occurrences of one prepared feed from the copies of its source events."""

    def __init__(self, prepared: Prepared) -> None:
        self._prepared = prepared
        self._find_link = LinkFinder()

    def _source(self, component: Component) -> Source:
        index = source_index(component)
        sources = self._prepared.sources
        if index is not None and index < len(sources):
            return sources[index]
        # Every copy carries its mark; reading the copy itself is only a safety net.
        return describe(component, self._find_link, time_uncertain=False, end_assumed=False)

    def _slot(self, component: Component, uid: str, start: date, all_day: bool) -> date:
        """The original slot: RECURRENCE-ID, shifted back for THISANDFUTURE overrides."""
        slot = when(component, "RECURRENCE-ID")
        if slot is None:
            return start  # the library sets one on every copy; kept for safety
        if range_parameter(component) != "THISANDFUTURE":
            return slot
        zone = self._prepared.day_zone
        shift = self._prepared.moved_by.get((uid, stamp(slot, all_day=all_day, zone=zone)))
        return slot if shift is None else start - shift

    def _statuses(self, source: Source) -> tuple[bool, bool]:
        """(cancelled, tentative): the instance's STATUS, else its master's."""
        master = self._prepared.master_status.get(source.uid, "")
        cancelled = "CANCELLED" in (source.status, master)
        return cancelled, (source.status or master) == "TENTATIVE"

    def build(self, component: Component) -> Occurrence | None:
        """The occurrence of one expanded copy; None if it lacks a start (never expected)."""
        start = when(component, "DTSTART")
        if start is None:
            return None
        source = self._source(component)
        if source.all_day and isinstance(start, datetime):
            start = start.date()  # a DATE start comes back as a DATE-TIME if DTEND is one
        zone = self._prepared.day_zone
        slot = self._slot(component, source.uid, start, source.all_day)
        cancelled, tentative = self._statuses(source)
        uid = clean_key(source.uid)
        return Occurrence(
            uid=uid,
            key=_key(uid, source, slot, zone),
            title=source.title,
            start_at=to_utc(start, zone),
            end_at=to_utc(when(component, "DTEND") or start, zone),
            all_day=source.all_day,
            cancelled=cancelled,
            tentative=tentative,
            sequence=integer(component, "SEQUENCE"),
            link=source.link,
            organizer=source.organizer,
            attendees=source.attendees,
            time_uncertain=source.time_uncertain or _floating(start),
            end_assumed=source.end_assumed,
        )


def _key(uid: str, source: Source, slot: date, zone: tzinfo) -> str:
    """A one-off event is its UID (so moving it keeps its key); an instance of a series is
    its UID and original slot. ``uid`` is the cleaned, bounded one (``clean_key``)."""
    if source.single:
        return f"{uid}|"
    return f"{uid}|{stamp(slot, all_day=source.all_day, zone=zone)}"


def _floating(start: date) -> bool:
    return isinstance(start, datetime) and start.tzinfo is None
