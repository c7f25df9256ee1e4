"""Preview: what would be recorded in a window under the configured rules (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.core.ics import Feed
from service.core.redaction import redact_meeting_url
from service.core.rules import RecordingRules
from service.core.sourcing import judge
from service.core.timestamps import utc_iso


def preview(
    feed: Feed, *, rules: RecordingRules, owner_email: str | None, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Every occurrence in ``[start, end)``, recorded or skipped, with the reason, by start.

    Nothing has "ended" in a preview: it answers what the rules would do in that window.
    """
    rows = []
    for occurrence in feed.occurrences:
        if not (start <= occurrence.start_at < end):
            continue
        verdict = judge(occurrence, owner_email=owner_email, rules=rules, now=start)
        link = occurrence.link
        rows.append(
            {
                "start": utc_iso(occurrence.start_at),
                "end": utc_iso(occurrence.end_at),
                "title": occurrence.title,
                "decision": "record" if verdict.record else "skip",
                "reason": None if verdict.record else str(verdict.reason),
                "platform": link.platform.value if link else None,
                "meeting_url": redact_meeting_url(link.url) if link else None,
                "time_uncertain": occurrence.time_uncertain,
            }
        )
    return sorted(rows, key=lambda row: (row["start"], row["title"]))
