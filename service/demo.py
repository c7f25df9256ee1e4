"""Demo data: a handful of meetings a few minutes from now, on every supported platform."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from service.core.timestamps import utc_iso

DEMO_KEY_PREFIX = "mvra_live_demo_"
_MEETINGS = (
    ("Weekly pipeline review", "https://acme.zoom.us/j/81234567890?pwd=demoPass123"),
    ("Design sync", "https://meet.google.com/abc-defg-hij"),
    ("Customer onboarding: Globex", "https://teams.microsoft.com/meet/3891234567890?p=demoPass"),
    ("Quarterly planning", "https://acme.webex.com/meet/jane.doe"),
    ("Interview: backend engineer", "https://us02web.zoom.us/j/98765432109"),
)


def demo_key() -> str:
    """A throwaway key the in-process simulator accepts (well-formed, 32+ characters)."""
    return DEMO_KEY_PREFIX + secrets.token_hex(12)


def demo_rows(now: datetime) -> list[dict[str, Any]]:
    """Meetings starting 2, 3, 4, 5 and 6 minutes from now, 2 minutes long."""
    base = now.replace(second=0, microsecond=0) + timedelta(minutes=2)
    return [
        {
            "title": title,
            "meeting_url": url,
            "start": utc_iso(base + timedelta(minutes=index)),
            "end": utc_iso(base + timedelta(minutes=index + 2)),
            "organizer": "demo@example.com",
            "uid": f"demo-{index}-{base:%Y%m%dT%H%M}",
        }
        for index, (title, url) in enumerate(_MEETINGS)
    ]
