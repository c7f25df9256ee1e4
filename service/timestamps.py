"""The one timestamp format autojoin writes: UTC, ISO 8601, second precision, with ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
