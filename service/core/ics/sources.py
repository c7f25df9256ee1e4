"""What every expanded copy of one source VEVENT shares: its text, people, join link, flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from icalendar import Component

from service.core.ics.occurrences import Attendee
from service.core.ics.properties import (
    attendees,
    keyword,
    link_fields,
    organizer,
    text,
    when,
)
from service.core.meeting_links import LinkField, NormalizedLink, extract_join_url
from service.core.untrusted import TITLE_LIMIT, clean_text

# A private property naming the source of each copy (a feed's own copy is removed first).
# A series can expand into hundreds of copies: reading the shared facts once per source
# VEVENT keeps the per-occurrence work to its times.
SOURCE_MARK: Final = "X-AUTOJOIN-SOURCE"


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """One VEVENT as read before expansion.

    ``all_day`` comes from its own DTSTART: the library turns a DATE start into a DATE-TIME
    when DTEND is one. ``time_uncertain`` means one of its zones was guessed;
    ``end_assumed`` that it had neither DTEND nor DURATION.
    """

    uid: str
    title: str
    status: str
    link: NormalizedLink | None
    organizer: str | None
    attendees: tuple[Attendee, ...]
    all_day: bool
    time_uncertain: bool = False
    end_assumed: bool = False
    # No RRULE, RDATE or RECURRENCE-ID: a one-off event, whose UID alone names it.
    single: bool = False


class LinkFinder:
    """`extract_join_url` with a memo: a series' copies and repeated invitations share texts."""

    def __init__(self) -> None:
        self._found: dict[tuple[LinkField, ...], NormalizedLink | None] = {}

    def __call__(self, component: Component) -> NormalizedLink | None:
        fields = link_fields(component)
        if fields not in self._found:
            self._found[fields] = extract_join_url(fields)
        return self._found[fields]


def describe(
    event: Component, find_link: LinkFinder, *, time_uncertain: bool, end_assumed: bool
) -> Source:
    return Source(
        uid=text(event, "UID"),
        title=clean_text(text(event, "SUMMARY"), limit=TITLE_LIMIT),
        status=keyword(event, "STATUS"),
        link=find_link(event),
        organizer=organizer(event),
        attendees=attendees(event),
        all_day=not isinstance(when(event, "DTSTART"), datetime),
        time_uncertain=time_uncertain,
        end_assumed=end_assumed,
        single=all(event.get(name) is None for name in ("RRULE", "RDATE", "RECURRENCE-ID")),
    )


def source_index(component: Component) -> int | None:
    """The index ``SOURCE_MARK`` holds, or None."""
    mark = text(component, SOURCE_MARK)
    return int(mark) if mark.isascii() and mark.isdigit() else None
