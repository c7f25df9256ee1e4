"""Ports: every contract the use cases depend on; the adapters implement them.

One module per family: ``clock``, ``mavera`` (the API and the request budget), ``dispatch``
(claims and plans), ``tracking``, ``meetings`` (sources in, views out), ``calendars``
(calendars, fetching and parsing feeds), ``leases`` and ``alerts``. Every name is exported here.

A store's methods raise what the docstrings say, and besides that whatever the storage fails
with while it cannot be reached; the runner's ``Alerts`` tell such an outage from a bug.
"""

from __future__ import annotations

from service.core.ports.alerts import Alerts
from service.core.ports.calendars import CalendarStore, FeedFetcher, FeedParser
from service.core.ports.clock import Clock
from service.core.ports.dispatch import DispatchStore, PlanStore
from service.core.ports.leases import Leases
from service.core.ports.mavera import BotApi, Purpose, RequestBudget
from service.core.ports.meetings import MeetingStore, SourceStore
from service.core.ports.tracking import TrackingStore

__all__ = [
    "Alerts",
    "BotApi",
    "CalendarStore",
    "Clock",
    "DispatchStore",
    "FeedFetcher",
    "FeedParser",
    "Leases",
    "MeetingStore",
    "PlanStore",
    "Purpose",
    "RequestBudget",
    "SourceStore",
    "TrackingStore",
]
