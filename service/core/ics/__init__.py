"""Calendar sources: reading feeds into meeting occurrences (ICS today; APIs later).

The package exports the values a parse returns. The parser itself, ``calendars.ics``, is
imported only where a feed is parsed (``core.feed_reading``): the daemon hands parsing to worker
processes, and its own process never loads icalendar and recurring-ical-events.
"""

from __future__ import annotations

from service.core.ics.limits import FeedLimits
from service.core.ics.occurrences import Attendee, Feed, FeedError, Occurrence

__all__ = ["Attendee", "Feed", "FeedError", "FeedLimits", "Occurrence"]
