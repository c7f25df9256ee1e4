"""Passes: the daemon's periodic work, whatever runs it (APScheduler, or a burst in tests).

A pass never dies of a failure: each step is guarded, its failure counted as a condition
(a few lines however long it lasts, one when it clears), and the next tick retries; every
write is fenced, so nothing is lost or doubled. Tracking, planning and calendar syncs run on
one replica at a time, under a named lease.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from service.core.ports import Alerts, Clock, DispatchStore, Leases
from service.usecases.dispatch import Dispatcher
from service.usecases.replan import Replanner
from service.usecases.sync_calendars import CalendarSync, SyncReport
from service.usecases.track import Tracker

log = logging.getLogger(__name__)
SINGLETONS = ("planner", "tracking", "calendars")
Step = Callable[[], Awaitable[int]]
Job = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunnerSettings:
    dispatch_tick: timedelta
    tracking_tick: timedelta
    replan_interval: timedelta
    timer_window: timedelta
    calendar_tick: timedelta = timedelta(seconds=30)
    reaper_interval: timedelta = timedelta(seconds=30)
    max_timers: int = 5000
    drain_timeout: timedelta = timedelta(seconds=30)
    database_check_interval: timedelta = timedelta(seconds=30)


@dataclass(frozen=True, slots=True, kw_only=True)
class Parts:
    """What the passes drive: the use cases, the dispatch store and the leases."""

    dispatcher: Dispatcher
    tracker: Tracker
    replanner: Replanner
    store: DispatchStore
    leases: Leases
    syncer: CalendarSync | None = None
    database_check: Step | None = None


class Passes:
    def __init__(
        self,
        parts: Parts,
        *,
        clock: Clock,
        alerts: Alerts,
        settings: RunnerSettings,
        after_dispatch: Step,
    ) -> None:
        self._parts = parts
        self._clock = clock
        self._alerts = alerts
        self._settings = settings
        self._after_dispatch = after_dispatch
        self.dispatching = asyncio.Lock()
        self.stopping = False
        self._again = False

    def periodic(self) -> list[tuple[str, timedelta, Job]]:
        """The periodic passes, in the order a burst runs them: news, the plan, what is due."""
        settings, parts = self._settings, self._parts
        passes: list[tuple[str, timedelta, Job]] = []
        if parts.syncer is not None:
            passes.append(("calendar-sync", settings.calendar_tick, self.sync_once))
        passes += [
            ("replan", settings.replan_interval, self.replan),
            ("dispatch-tick", settings.dispatch_tick, self.dispatch),
            ("tracking-tick", settings.tracking_tick, self.track),
            ("lease-reaper", settings.reaper_interval, self.reap),
        ]
        if parts.database_check is not None:
            check = partial(self.guard, "database check", parts.database_check)
            passes.append(("database-check", settings.database_check_interval, check))
        return passes

    async def dispatch(self) -> None:
        """Claim and send until nothing due is left, then plant timers for what comes next.

        A wake-up during a pass does not queue a second pass: it asks the running one to
        look again before it ends (hundreds of timers can fire during a peak).
        """
        self._again = True
        if self.dispatching.locked():
            return
        async with self.dispatching:
            while self._again and not self.stopping:
                self._again = False
                while not self.stopping:
                    if not await self.guard("dispatch", self._parts.dispatcher.dispatch_due):
                        break
            if not self.stopping:
                await self.guard("timers", self._after_dispatch)

    async def start_up(self) -> None:
        """Dispatch what is already due at once; plan the rest right after."""
        await self.dispatch()
        await self.replan()

    async def track(self) -> None:
        if not self.stopping and await self._singleton("tracking", self._settings.tracking_tick):
            await self.guard("tracking", self._parts.tracker.refresh_due)

    async def replan(self) -> None:
        if self.stopping or not await self._singleton("planner", self._settings.replan_interval):
            return
        await self.guard("planner", self._replanned)
        await self.dispatch()

    async def sync_once(self) -> list[SyncReport]:
        """Sync every due calendar now, as the calendar tick does, then replan and dispatch
        if that changed anything; the reports (none while another replica holds the sync)."""
        reports: list[SyncReport] = []
        syncer, tick = self._parts.syncer, self._settings.calendar_tick
        if self.stopping or syncer is None or not await self._singleton("calendars", tick):
            return reports

        async def synced() -> int:
            reports.extend(await syncer.sync_due())
            return sum(report.rows_written for report in reports)

        if await self.guard("calendar sync", synced):
            await self.guard("planner", self._replanned)
            await self.dispatch()
        return reports

    async def reap(self) -> None:
        expired = await self.guard("reaper", self._expire)
        if expired:
            log.warning("%d dispatch claims expired; they will be reconciled", expired)

    async def release_singletons(self) -> None:
        for name in SINGLETONS:
            await self.guard(f"releasing {name}", partial(self._release, name))

    async def guard(self, what: str, step: Step) -> int:
        """``step``'s result, or 0 if it raised (the failure is counted, never raised)."""
        try:
            result = await step()
        except Exception as exc:
            self._alerts.pass_failed(what, exc)
            return 0
        self._alerts.pass_succeeded(what)
        return result

    async def _replanned(self) -> int:
        return len((await self._parts.replanner.replan()).times)

    async def _expire(self) -> int:
        return await self._parts.store.expire_leases(now=self._clock.now())

    async def _singleton(self, name: str, interval: timedelta) -> bool:
        # Held for three intervals, renewed every interval: a dead holder is replaced soon.
        return bool(await self.guard(f"{name} lease", partial(self._hold, name, interval * 3)))

    async def _hold(self, name: str, ttl: timedelta) -> int:
        return int(await self._parts.leases.hold(name, now=self._clock.now(), ttl=ttl))

    async def _release(self, name: str) -> int:
        await self._parts.leases.release(name)
        return 0
