"""Expanding a prepared calendar's series lazily, inside the window only, within the limits.

recurring-ical-events asks dateutil for ``rule.between(start, stop)``: that steps through
every repetition from DTSTART, keeps each one (the rules are built with ``cache=True``),
returns every start of the span as one list, and steps on to the year 9999 when a rule
never matches. The series class below keeps the library's semantics (RDATE, EXDATE,
overrides, THISANDFUTURE) but walks each rule one repetition at a time, stops it at the
span's end, and charges every step to a meter; `Expander` takes the occurrences series by
series, skipping (with a reason) a series that exceeds a per-event limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, Final

import recurring_ical_events  # type: ignore[import-untyped]  # the library ships no types
from dateutil.rrule import rrule  # type: ignore[import-untyped]  # no stubs installed
from icalendar import Calendar, Component
from recurring_ical_events.util import (  # type: ignore[import-untyped]
    compare_greater,
    convert_to_datetime,
)

from service.core.errors import ServiceError
from service.core.ics.limits import EventSkipped, FeedMeter, SeriesMeter, too_many_occurrences
from service.core.ics.occurrences import FeedError


class _PastTheWindow(ServiceError):
    """A rule has stepped past the end of the window without finding another match."""


class _WindowedRule(rrule):  # type: ignore[misc]  # untyped base
    """A dateutil rule that gives up once it has stepped past the months it may match in.

    dateutil checks UNTIL only against days its BYxxx parts let through, so a rule that
    never (or no longer) matches steps on day by day to the year 9999: seconds of CPU for
    one 200-byte event. It rebuilds its masks once per month it steps into (per period
    for MONTHLY and YEARLY) and reads ``_byeaster`` each time; counting those reads bounds
    how far it steps. Instances are never lost: the count only runs out after more
    rebuilds than there are months up to UNTIL (at most two months further).
    """

    _reads_left: int | None = None  # no limit while dateutil builds the rule

    def __init__(self, *, months: int, **parts: Any) -> None:
        super().__init__(**parts)
        # One read when iteration starts, one per month stepped into (two with BYEASTER),
        # and one to spare.
        self._reads_left = 1 + (2 if parts.get("byeaster") else 1) * months + 1

    @property
    def _byeaster(self) -> Any:
        if self._reads_left is not None:
            self._reads_left -= 1
            if self._reads_left < 0:
                raise _PastTheWindow
        return self.__dict__["_byeaster_value"]

    @_byeaster.setter
    def _byeaster(self, value: Any) -> None:
        self.__dict__["_byeaster_value"] = value


def _months(start: datetime, end: datetime) -> int:
    """The months from ``start``'s to ``end``'s, both counted."""
    return max(1, (end.year - start.year) * 12 + end.month - start.month + 1)


def _bounded(rule: Any, stop: datetime) -> tuple[Any, int | None]:
    """An uncached copy of ``rule`` that ends at ``stop`` even if it never matches again,
    and the rule's COUNT (counted by the caller: dateutil refuses COUNT with UNTIL).

    dateutil keeps a rule's parts only in private attributes; this mirrors `rrule.replace`.
    """
    if not isinstance(rule, rrule):
        return rule, None  # the rruleset of DTSTART and the RDATEs: finite, already sorted
    until = rule._until
    end = stop if until is None or until > stop else until
    parts = {
        "freq": rule._freq,
        "dtstart": rule._dtstart,
        "interval": rule._interval,
        "wkst": rule._wkst,
        **rule._original_rule,
        "until": end,
        "count": None,
        "cache": False,
    }
    return _WindowedRule(months=_months(rule._dtstart, end), **parts), rule._count


class _MeteredRules(recurring_ical_events.Series.RecurrenceRules):  # type: ignore[misc]  # untyped base
    """The recurrence of one series, walked lazily; each step is charged to ``meter``."""

    meter: SeriesMeter | None = None

    def rrule_between(self, span_start: Any, span_stop: Any) -> Iterator[datetime]:
        # Same conversions as the library's; pytz zones never occur (icalendar 7 uses zoneinfo).
        low = convert_to_datetime(span_start, self.tzinfo)
        high = convert_to_datetime(span_stop, self.tzinfo)
        for rule in self.rrules:
            for start in self._walk(rule, low, high):
                if rule.until is None or not compare_greater(start, rule.until):
                    yield start

    def _walk(self, rule: Any, low: datetime, high: datetime) -> Iterator[datetime]:
        if self.meter is None:
            raise RuntimeError("a series is expanded without a meter")
        steps, count = _bounded(rule, high)
        previous: datetime | None = None
        try:
            for number, start in enumerate(steps, start=1):
                if start > high or (count is not None and number > count):
                    return
                self.meter.step(start, previous)
                previous = start
                if start >= low:
                    yield start
        except _PastTheWindow:
            return


class MeteredSeries(recurring_ical_events.Series):  # type: ignore[misc]  # untyped base
    """A series whose rules are walked lazily and metered."""

    RecurrenceRules = _MeteredRules

    def metered_between(self, start: datetime, end: datetime, meter: SeriesMeter) -> Iterator[Any]:
        if isinstance(self.recurrence, _MeteredRules):
            self.recurrence.meter = meter
        return iter(self.between(start, end))


_EVENTS: Final = recurring_ical_events.ComponentsWithName("VEVENT", series=MeteredSeries)


class Expander:
    """Expands one calendar's events within a feed's limits; ``dropped`` lists the series
    it skipped, as ``(uid, reason)``."""

    def __init__(self, meter: FeedMeter) -> None:
        self._meter = meter
        self.dropped: list[tuple[str, str]] = []

    def copies(self, calendar: Calendar, start: datetime, end: datetime) -> Iterator[Component]:
        """Every VEVENT copy overlapping [start, end); `of` also applies X-WR-TIMEZONE.

        :raises FeedError: the calendar cannot be read as series, or a feed limit is exceeded.
        """
        try:
            query = recurring_ical_events.of(calendar, skip_bad_series=True, components=[_EVENTS])
        except Exception as exc:  # the library raises many types on data it cannot expand
            # Not chained: the library's messages may quote event content.
            raise FeedError(f"the events could not be expanded ({type(exc).__name__})") from None
        for series in query.series:
            yield from self._series(series, start, end)

    def _series(self, series: Any, start: datetime, end: datetime) -> Iterator[Component]:
        limit = self._meter.limits.max_event_occurrences
        found: list[Any] = []
        try:
            meter = self._meter.series(str(series.uid))
            for occurrence in series.metered_between(start, end, meter):
                found.append(occurrence)
                if len(found) > limit:
                    raise EventSkipped(too_many_occurrences(limit))
        except FeedError:
            raise
        except EventSkipped as exc:
            self.dropped.append((str(series.uid), exc.reason))
            return
        except Exception as exc:  # the library raises many types on data it cannot expand
            self.dropped.append((str(series.uid), f"could not be expanded ({type(exc).__name__})"))
            return
        self._meter.occur(len(found))
        for occurrence in found:
            yield occurrence.as_component(False)
