"""Calendar sources: reading feeds into meeting occurrences (ICS today; APIs later)."""

from __future__ import annotations

from service.calendars.ics import parse_feed
from service.calendars.occurrences import Attendee, Feed, FeedError, Occurrence

__all__ = ["Attendee", "Feed", "FeedError", "Occurrence", "parse_feed"]
