"""Finding and normalizing the join link of a calendar event (Zoom, Meet, Teams, Webex)."""

from __future__ import annotations

from service.core.meeting_links.extract import LinkField, extract_join_url
from service.core.meeting_links.normalize import NormalizedLink, normalize_meeting_url

__all__ = ["LinkField", "NormalizedLink", "extract_join_url", "normalize_meeting_url"]
