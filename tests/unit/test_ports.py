"""Every port is a documented contract, and every adapter implements its port's methods with
the same parameters (mypy checks the types: ``conforming`` below is never called)."""

from __future__ import annotations

import inspect
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.alerting import LoggingAlerts
from service.adapters.clock import SystemClock
from service.adapters.feeds.fetch import FetchSettings, HttpFeedFetcher
from service.adapters.feeds.parsing import ProcessParser, ThreadParser
from service.adapters.local_budget import LocalBudget
from service.adapters.mavera.client import MaveraClient
from service.adapters.memory.budget import MemoryBudget
from service.adapters.memory.calendar_store import MemoryCalendarStore
from service.adapters.memory.dispatch_store import MemoryDispatchStore
from service.adapters.memory.leases import MemoryLeases
from service.adapters.memory.meeting_store import MemoryMeetingStore
from service.adapters.memory.plan_store import MemoryPlanStore
from service.adapters.memory.source_store import MemorySourceStore
from service.adapters.memory.state import MemoryState
from service.adapters.memory.tracking_store import MemoryTrackingStore
from service.adapters.sql.calendar_store import SqlCalendarStore
from service.adapters.sql.dispatch_store import SqlDispatchStore
from service.adapters.sql.leases import SqlLeases
from service.adapters.sql.meeting_store import SqlMeetingStore
from service.adapters.sql.plan_store import SqlPlanStore
from service.adapters.sql.shared_budget import SqlBudget
from service.adapters.sql.source_store import SqlSourceStore
from service.adapters.sql.tracking_store import SqlTrackingStore
from service.core import ports
from service.core.ports import (
    Alerts,
    BotApi,
    CalendarStore,
    Clock,
    DispatchStore,
    FeedFetcher,
    FeedParser,
    Leases,
    MeetingStore,
    PlanStore,
    RequestBudget,
    SourceStore,
    TrackingStore,
)

PORTS = [getattr(ports, name) for name in ports.__all__ if name != "Purpose"]
IMPLEMENTATIONS: list[tuple[type[Any], type[Any]]] = [
    (Alerts, LoggingAlerts),
    (BotApi, MaveraClient),
    (CalendarStore, SqlCalendarStore),
    (CalendarStore, MemoryCalendarStore),
    (Clock, SystemClock),
    (DispatchStore, SqlDispatchStore),
    (DispatchStore, MemoryDispatchStore),
    (FeedFetcher, HttpFeedFetcher),
    (FeedParser, ProcessParser),
    (FeedParser, ThreadParser),
    (Leases, SqlLeases),
    (Leases, MemoryLeases),
    (MeetingStore, SqlMeetingStore),
    (MeetingStore, MemoryMeetingStore),
    (PlanStore, SqlPlanStore),
    (PlanStore, MemoryPlanStore),
    (RequestBudget, LocalBudget),
    (RequestBudget, SqlBudget),
    (RequestBudget, MemoryBudget),
    (SourceStore, SqlSourceStore),
    (SourceStore, MemorySourceStore),
    (TrackingStore, SqlTrackingStore),
    (TrackingStore, MemoryTrackingStore),
]


def methods(port: type[Any]) -> dict[str, Any]:
    """The methods a port declares (its own, not Protocol's machinery)."""
    return {
        name: member
        for name, member in vars(port).items()
        if inspect.isfunction(member) and (not name.startswith("_") or name == "__call__")
    }


def shape(function: Any) -> list[tuple[str, Any, Any]]:
    """Parameter names, kinds and defaults: what a caller relies on, annotations aside."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


def conforming(
    engine: AsyncEngine, session: aiohttp.ClientSession, fetch: FetchSettings, clock: Clock
) -> None:
    """Never called: mypy checks that each adapter is its port, types and all."""
    alerts: Alerts = LoggingAlerts(clock=clock)
    calendars: CalendarStore = SqlCalendarStore(engine)
    sources: SourceStore = SqlSourceStore(engine, freeze=fetch.timeout)
    meetings: MeetingStore = SqlMeetingStore(engine)
    plans: PlanStore = SqlPlanStore(engine)
    dispatch: DispatchStore = SqlDispatchStore(engine, worker_id="w")
    tracking: TrackingStore = SqlTrackingStore(engine)
    leases: Leases = SqlLeases(engine, holder="w")
    fetcher: FeedFetcher = HttpFeedFetcher(session, fetch)
    parsers: list[FeedParser] = [ThreadParser(), ProcessParser(1)]
    budgets: list[RequestBudget] = [
        LocalBudget(limit=1, read_share=0.5, clock=clock),
        SqlBudget(engine, key_id="k", limit=1, read_share=0.5, clock=clock),
    ]
    system: Clock = SystemClock()
    del alerts, calendars, sources, meetings, plans, dispatch, tracking, leases, fetcher
    del parsers, budgets, system


def conforming_in_memory(state: MemoryState, clock: Clock) -> None:
    """Never called: mypy checks that each memory store is its port, types and all."""
    calendars: CalendarStore = MemoryCalendarStore(state)
    sources: SourceStore = MemorySourceStore(state, freeze=timedelta(minutes=5))
    meetings: MeetingStore = MemoryMeetingStore(state)
    plans: PlanStore = MemoryPlanStore(state)
    dispatch: DispatchStore = MemoryDispatchStore(state, worker_id="w")
    tracking: TrackingStore = MemoryTrackingStore(state)
    leases: Leases = MemoryLeases(state, holder="w")
    budget: RequestBudget = MemoryBudget(state, key_id="k", limit=1, read_share=0.5, clock=clock)
    del calendars, sources, meetings, plans, dispatch, tracking, leases, budget


@pytest.mark.parametrize("port", PORTS, ids=lambda port: port.__name__)
def test_every_port_and_each_of_its_methods_says_what_it_does(port: type[Any]) -> None:
    assert inspect.getdoc(port)
    assert methods(port)
    undocumented = [name for name, method in methods(port).items() if not method.__doc__]
    assert undocumented == []


def test_every_port_has_an_adapter() -> None:
    assert {port for port, _ in IMPLEMENTATIONS} == set(PORTS)


@pytest.mark.parametrize(
    ("port", "adapter"),
    IMPLEMENTATIONS,
    ids=lambda item: item.__name__,
)
def test_the_adapter_takes_what_its_port_says(port: type[Any], adapter: type[Any]) -> None:
    for name, method in methods(port).items():
        assert shape(getattr(adapter, name)) == shape(method), f"{adapter.__name__}.{name}"
