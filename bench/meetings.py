"""Meeting files for ``autojoin import``: unique, real-looking Zoom links and UTC times."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

Row = dict[str, str]


def utc(when: datetime) -> str:
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def zoom_url(index: int) -> str:
    """A join link per meeting: ``https://acme.zoom.us/j/8`` then ten digits."""
    return f"https://acme.zoom.us/j/8{index:010d}"


def meeting_rows(
    starts: Iterable[datetime], *, duration: timedelta, first_index: int = 0
) -> list[Row]:
    """One meeting per start time, numbered from ``first_index`` (links and uids follow it)."""
    return [
        {
            "title": f"Bench meeting {index}",
            "meeting_url": zoom_url(index),
            "start": utc(start),
            "end": utc(start + duration),
            "uid": f"bench-{index}",
        }
        for index, start in enumerate(starts, start=first_index)
    ]


def write_rows(path: Path, rows: list[Row]) -> Path:
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path
