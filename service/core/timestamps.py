"""The one timestamp format autojoin writes (UTC, ISO 8601, second precision, with ``Z``)
and the one it reads from people: an RFC 3339 date-time with an offset."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

MIN_YEAR: Final = 2000
MAX_YEAR: Final = 2100
EXAMPLE: Final = "e.g. 2026-11-24T09:00:00Z"
# RFC 3339: a date, a time and an offset; ISO 8601's other forms (week dates, ordinal days,
# bare numbers that could be Unix times) are refused rather than guessed at.
_INSTANT: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?P<offset>Z|[+-]\d{2}:?\d{2})?"
)


def utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str) -> datetime:
    """``text`` as aware UTC, if it is an RFC 3339 date-time with an offset in 2000-2100.

    :raises ValueError: with a message fit for the operator, naming what is wrong.
    """
    match = _INSTANT.fullmatch(text.upper())
    if match is None:
        raise ValueError(f"not an ISO 8601 date-time ({EXAMPLE})")
    if match["offset"] is None:
        raise ValueError(f"needs a time zone offset ({EXAMPLE})")
    try:
        parsed = datetime.fromisoformat(match.group())
    except ValueError as exc:
        raise ValueError(f"not a valid date-time: {exc}") from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise ValueError(f"year {parsed.year} is outside {MIN_YEAR}-{MAX_YEAR}")
    return parsed.astimezone(UTC)
