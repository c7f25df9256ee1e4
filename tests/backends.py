"""Every store of one backend as one bundle (``Stores``), so one contract suite runs the same
on memory, SQLite and PostgreSQL; a test asks for the ``stores`` fixture and uses only ports.

The SQL stores share an engine; the memory stores share a ``MemoryState``. ``integrity_error``
is what the backend raises for a write its constraints refuse.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.memory import Conflict, MemoryStore
from service.adapters.memory.budget import MemoryBudget
from service.adapters.memory.dispatch_store import MemoryDispatchStore
from service.adapters.memory.leases import MemoryLeases
from service.adapters.memory.source_store import MemorySourceStore
from service.adapters.sql.calendar_store import SqlCalendarStore
from service.adapters.sql.dispatch_store import SqlDispatchStore
from service.adapters.sql.leases import SqlLeases
from service.adapters.sql.meeting_store import SqlMeetingStore
from service.adapters.sql.plan_store import SqlPlanStore
from service.adapters.sql.shared_budget import SqlBudget
from service.adapters.sql.source_store import SqlSourceStore
from service.adapters.sql.tracking_store import SqlTrackingStore
from service.core.ports import (
    CalendarStore,
    Clock,
    DispatchStore,
    Leases,
    MeetingStore,
    PlanStore,
    RequestBudget,
    SourceStore,
    TrackingStore,
)

FREEZE = timedelta(minutes=5)
BudgetFactory = Callable[[str, int, float, Clock], Awaitable[RequestBudget]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Stores:
    """One backend's stores; ``engine`` (SQL) or ``memory`` says which backend it is."""

    backend: str
    meetings: MeetingStore
    sources: SourceStore
    calendars: CalendarStore
    plans: PlanStore
    tracking: TrackingStore
    integrity_error: type[Exception]
    make_dispatch: Callable[[str], DispatchStore]
    make_leases: Callable[[str], Leases]
    make_sources: Callable[[timedelta], SourceStore]
    make_budget: BudgetFactory
    engine: AsyncEngine | None = None
    memory: MemoryStore | None = None

    def dispatch(self, worker_id: str = "w") -> DispatchStore:
        """The dispatch store of one worker (a replica, or a worker of one daemon)."""
        return self.make_dispatch(worker_id)

    def leases(self, holder: str) -> Leases:
        return self.make_leases(holder)

    def source_store(self, *, freeze: timedelta) -> SourceStore:
        return self.make_sources(freeze)

    async def budget(
        self, *, key_id: str, limit: int, read_share: float, clock: Clock
    ) -> RequestBudget:
        """A replica's view of the key's shared request budget, registered."""
        return await self.make_budget(key_id, limit, read_share, clock)


def sql_stores(backend: str, engine: AsyncEngine) -> Stores:
    async def budget(key_id: str, limit: int, read_share: float, clock: Clock) -> SqlBudget:
        shared = SqlBudget(engine, key_id=key_id, limit=limit, read_share=read_share, clock=clock)
        await shared.register()
        return shared

    return Stores(
        backend=backend,
        meetings=SqlMeetingStore(engine),
        sources=SqlSourceStore(engine, freeze=FREEZE),
        calendars=SqlCalendarStore(engine),
        plans=SqlPlanStore(engine),
        tracking=SqlTrackingStore(engine),
        integrity_error=IntegrityError,
        make_dispatch=lambda worker_id: SqlDispatchStore(engine, worker_id=worker_id),
        make_leases=lambda holder: SqlLeases(engine, holder=holder),
        make_sources=lambda freeze: SqlSourceStore(engine, freeze=freeze),
        make_budget=budget,
        engine=engine,
    )


def memory_stores(memory: MemoryStore | None = None) -> Stores:
    store = memory or MemoryStore(freeze=FREEZE)
    state = store.state

    async def budget(key_id: str, limit: int, read_share: float, clock: Clock) -> MemoryBudget:
        return await store.budget(key_id=key_id, limit=limit, read_share=read_share, clock=clock)

    return Stores(
        backend="memory",
        meetings=store.meetings,
        sources=store.sources,
        calendars=store.calendars,
        plans=store.plans,
        tracking=store.tracking,
        integrity_error=Conflict,
        make_dispatch=lambda worker_id: MemoryDispatchStore(state, worker_id=worker_id),
        make_leases=lambda holder: MemoryLeases(state, holder=holder),
        make_sources=lambda freeze: MemorySourceStore(state, freeze=freeze),
        make_budget=budget,
        memory=store,
    )
