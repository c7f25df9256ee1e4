"""Instants and occurrence-key stamps of iCalendar DATE and DATE-TIME values."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo


def is_day(value: date) -> bool:
    """A DATE (all-day) value rather than a DATE-TIME."""
    return not isinstance(value, datetime)


def to_utc(value: date, zone: tzinfo) -> datetime:
    """Aware UTC; a DATE is taken as midnight and a floating time as wall-clock in ``zone``."""
    if isinstance(value, datetime):
        local = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return local.astimezone(UTC)
    return datetime.combine(value, time(), tzinfo=zone).astimezone(UTC)


def _day_stamp(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def stamp(value: date, *, all_day: bool, zone: tzinfo) -> str:
    """``YYYYMMDDTHHMMSSZ`` in UTC, or ``YYYYMMDD`` for all-day occurrences.

    Exchange writes the RECURRENCE-ID of an all-day series as local midnight with a TZID,
    while the expanded instances carry a DATE: both give the same day stamp.
    """
    if all_day or not isinstance(value, datetime):
        return _day_stamp(value.date() if isinstance(value, datetime) else value)
    instant = to_utc(value, zone)
    return f"{_day_stamp(instant)}T{instant.hour:02d}{instant.minute:02d}{instant.second:02d}Z"
