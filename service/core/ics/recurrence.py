"""Judging an event's RRULEs before expansion: sub-minute rules, and the repetitions it
would take to step from DTSTART to the window's end (pure, read from icalendar values)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, Final

from icalendar import Event

from service.core.ics.limits import SUB_MINUTE, too_many_repetitions
from service.core.ics.properties import property_values, when

MINUTE_SEARCH: Final = "selects among every minute (FREQ=MINUTELY with BYSETPOS)"

# The shortest period of each FREQ (a month is at least 28 days, a year 365): the estimate
# errs towards more repetitions, never fewer.
_PERIOD_SECONDS: Final = {
    "MINUTELY": 60,
    "HOURLY": 3_600,
    "DAILY": 86_400,
    "WEEKLY": 7 * 86_400,
    "MONTHLY": 28 * 86_400,
    "YEARLY": 365 * 86_400,
}


def _first(rule: Mapping[str, Any], name: str) -> Any:
    values = property_values(rule.get(name))
    return values[0] if values else None


def _positive(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _wall(value: date) -> datetime:
    """Wall-clock time without a zone: hours of error do not matter to an estimate, and
    nothing overflows at year 1 or 9999."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime(value.year, value.month, value.day)


def _sub_minute(rule: Mapping[str, Any]) -> bool:
    """FREQ=SECONDLY, or two BYSECOND values: occurrences less than a minute apart."""
    seconds = {str(value) for value in property_values(rule.get("BYSECOND"))}
    return str(_first(rule, "FREQ")).upper() == "SECONDLY" or len(seconds) > 1


def _minute_search(rule: Mapping[str, Any]) -> bool:
    """FREQ=MINUTELY with BYSETPOS: when the position is never there, dateutil steps through
    every minute without a match, which no UNTIL or window end stops before months pass."""
    return str(_first(rule, "FREQ")).upper() == "MINUTELY" and rule.get("BYSETPOS") is not None


def _periods(rule: Mapping[str, Any], start: date, window_end: datetime) -> int:
    """How many periods of ``rule`` lie from ``start`` to the window's end (or its UNTIL).

    dateutil steps through every period from DTSTART, even those its BYxxx parts filter
    out (a rule that never matches steps on to the year 9999 unless something stops it).
    """
    period = _PERIOD_SECONDS.get(str(_first(rule, "FREQ")).upper())
    if period is None:
        return 0  # SECONDLY is refused, anything else the library refuses
    end = _wall(window_end)
    until = _first(rule, "UNTIL")
    if isinstance(until, date):
        end = min(end, _wall(until))
    seconds = int((end - _wall(start)) / timedelta(seconds=1))
    if seconds < 0:
        return 0
    periods = seconds // (period * (_positive(_first(rule, "INTERVAL")) or 1)) + 1
    count = _positive(_first(rule, "COUNT"))
    if count is not None and not any(str(name).upper().startswith("BY") for name in rule):
        periods = min(periods, count)  # nothing filters: COUNT steps end the series
    return periods


def planned_repetitions(event: Event, window_end: datetime) -> int:
    """The periods every RRULE of ``event`` steps through before the window ends."""
    start = when(event, "DTSTART")
    if start is None:
        return 0
    rules = [rule for rule in property_values(event.get("RRULE")) if isinstance(rule, Mapping)]
    return sum(_periods(rule, start, window_end) for rule in rules)


def recurrence_defect(event: Event, *, window_end: datetime, limit: int) -> str | None:
    """Why ``event`` must not be expanded (sub-minute, too many repetitions), or None."""
    rules = [rule for rule in property_values(event.get("RRULE")) if isinstance(rule, Mapping)]
    if any(_sub_minute(rule) for rule in rules):
        return SUB_MINUTE
    if any(_minute_search(rule) for rule in rules):
        return MINUTE_SEARCH
    if planned_repetitions(event, window_end) > limit:
        return too_many_repetitions(limit)
    return None
