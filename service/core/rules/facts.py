"""MeetingFacts: what the rules may know about one meeting, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Override(StrEnum):
    """A per-meeting manual decision; it beats every rule but no structural reason."""

    RECORD = "record"
    SKIP = "skip"


@dataclass(frozen=True, slots=True, kw_only=True)
class AttendeeFact:
    """One invited person. ``email`` may be empty when the calendar gives none; such a
    person counts towards ``min_attendees`` / ``max_attendees`` but not for domain rules.
    ``partstat`` is the iCalendar PARTSTAT (``ACCEPTED``, ``DECLINED``, ``TENTATIVE``, ...).
    Rooms and other resources should be left out by the caller."""

    email: str
    partstat: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingFacts:
    """One meeting as seen from one calendar. ``owner_email`` is that calendar's owner,
    whose own PARTSTAT decides ``skip_declined`` / ``skip_tentative``; ``tentative`` is the
    event's STATUS:TENTATIVE."""

    title: str
    has_link: bool
    organizer: str | None = None
    attendees: tuple[AttendeeFact, ...] = ()
    owner_email: str | None = None
    all_day: bool = False
    cancelled: bool = False
    tentative: bool = False
    ended: bool = False
    override: Override | None = None
