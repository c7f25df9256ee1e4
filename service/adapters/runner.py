"""Runner: the only APScheduler user; periodic passes plus timers for near-term dispatches.

The database is the truth. APScheduler holds only a few periodic jobs and one timer per
meeting whose dispatch falls inside the next ``timer_window``; every timer just runs a
dispatch pass, so a timer that fires twice or late changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from service.core.ports import Alerts, Clock, DispatchStore, Leases
from service.usecases.dispatch import Dispatcher
from service.usecases.replan import Replanner
from service.usecases.sync_calendars import CalendarSync
from service.usecases.track import Tracker

log = logging.getLogger(__name__)
SINGLETONS = ("planner", "tracking", "calendars")
Step = Callable[[], Awaitable[int]]


class QuietSkips(logging.Filter):
    """Drops APScheduler's "skipped: maximum number of running instances" warning: a pass
    that outlasts its interval (a slow or locked database) is reported by its own failure or
    needs no report at all; the skipped tick changes nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in str(record.msg)


def _scheduler_log() -> logging.Logger:
    # Under "apscheduler", so it keeps the level the CLI gives APScheduler's own loggers.
    logger = logging.getLogger("apscheduler.scheduler.autojoin")
    if not any(isinstance(f, QuietSkips) for f in logger.filters):
        logger.addFilter(QuietSkips())
    return logger


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


class Runner:
    def __init__(
        self,
        *,
        dispatcher: Dispatcher,
        tracker: Tracker,
        replanner: Replanner,
        store: DispatchStore,
        leases: Leases,
        clock: Clock,
        settings: RunnerSettings,
        alerts: Alerts,
        syncer: CalendarSync | None = None,
        database_check: Step | None = None,
    ) -> None:
        self._syncer = syncer
        self._alerts = alerts
        self._database_check = database_check
        self._dispatcher = dispatcher
        self._tracker = tracker
        self._replanner = replanner
        self._store = store
        self._leases = leases
        self._clock = clock
        self._settings = settings
        self._scheduler = AsyncIOScheduler(timezone=UTC, logger=_scheduler_log())
        self._dispatch_lock = asyncio.Lock()
        self._planted: dict[int, datetime] = {}
        self._stopping = False
        self._again = False
        self._running: set[asyncio.Task[Any]] = set()

    def start(self) -> None:
        periodic = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        self._every(self._settings.dispatch_tick, self.dispatch_pass, "dispatch-tick", periodic)
        self._every(self._settings.tracking_tick, self._track, "tracking-tick", periodic)
        self._every(self._settings.replan_interval, self._replan, "replan", periodic)
        self._every(self._settings.reaper_interval, self._reap, "lease-reaper", periodic)
        if self._syncer is not None:
            self._every(self._settings.calendar_tick, self._sync, "calendar-sync", periodic)
        if self._database_check is not None:
            interval = self._settings.database_check_interval
            self._every(interval, self._check_database, "database-check", periodic)
        self._scheduler.start()
        # Dispatch what is already due at once; plan the rest right after.
        self._scheduler.add_job(
            self._safely,
            args=["start-up", self._start_up],
            id="start-up",
            name="start-up",
            misfire_grace_time=None,
        )

    async def stop(self) -> None:
        """Stop claiming, let the pass in flight finish (bounded), then stop APScheduler."""
        self._stopping = True
        try:
            async with asyncio.timeout(self._settings.drain_timeout.total_seconds()):
                async with self._dispatch_lock:
                    pass
                if self._running:
                    await asyncio.wait(set(self._running))
        except TimeoutError:
            log.warning("a pass is still running at shutdown; its claims will expire")
        # shutdown() cancels job coroutines instead of awaiting them: drain first (above).
        # A pass cancelled in the middle of a query could leave it to a disposed engine.
        self._scheduler.shutdown(wait=False)
        for name in SINGLETONS:
            await self._guard(f"releasing {name}", partial(self._release, name))

    def timers(self) -> dict[int, datetime]:
        return dict(self._planted)

    async def dispatch_pass(self) -> None:
        """Claim and send until nothing due is left, then plant timers for what comes next.

        A wake-up during a pass does not queue a second pass: it asks the running one to
        look again before it ends (hundreds of timers can fire during a peak).
        """
        self._again = True
        if self._dispatch_lock.locked():
            return
        async with self._dispatch_lock:
            while self._again and not self._stopping:
                self._again = False
                while not self._stopping:
                    if not await self._guard("dispatch", self._dispatcher.dispatch_due):
                        break
            if not self._stopping:
                await self._guard("timers", self._plant_timers)

    async def _plant_timers(self) -> int:
        now = self._clock.now()
        upcoming = await self._store.upcoming(
            now=now, until=now + self._settings.timer_window, limit=self._settings.max_timers
        )
        for meeting_id, at in upcoming:
            if self._planted.get(meeting_id) == at:
                continue
            self._planted[meeting_id] = at
            self._scheduler.add_job(
                self._safely,
                "date",
                run_date=at,
                args=["dispatch", partial(self._timer_fired, meeting_id)],
                id=f"dispatch:{meeting_id}",
                name=f"dispatch:{meeting_id}",
                replace_existing=True,
                misfire_grace_time=None,
            )
        return len(upcoming)

    async def _timer_fired(self, meeting_id: int) -> None:
        self._planted.pop(meeting_id, None)
        await self.dispatch_pass()

    async def _start_up(self) -> None:
        await self.dispatch_pass()
        await self._replan()

    async def _track(self) -> None:
        if not self._stopping and await self._singleton("tracking", self._settings.tracking_tick):
            await self._guard("tracking", self._tracker.refresh_due)

    async def _replan(self) -> None:
        if self._stopping or not await self._singleton("planner", self._settings.replan_interval):
            return
        await self._guard("planner", self._replanned)
        await self.dispatch_pass()

    async def _sync(self) -> None:
        if self._stopping or self._syncer is None:
            return
        if not await self._singleton("calendars", self._settings.calendar_tick):
            return
        changed = await self._guard("calendar sync", self._synced)
        if changed:
            await self._guard("planner", self._replanned)
            await self.dispatch_pass()

    async def _synced(self) -> int:
        assert self._syncer is not None
        reports = await self._syncer.sync_due()
        return sum(report.rows_written for report in reports)

    async def _replanned(self) -> int:
        plan = await self._replanner.replan()
        return len(plan.times)

    async def _singleton(self, name: str, interval: timedelta) -> bool:
        # Held for three intervals, renewed every interval: a dead holder is replaced soon.
        held = await self._guard(
            f"{name} lease",
            lambda: self._hold(name, interval * 3),
        )
        return bool(held)

    async def _hold(self, name: str, ttl: timedelta) -> int:
        return int(await self._leases.hold(name, now=self._clock.now(), ttl=ttl))

    async def _release(self, name: str) -> int:
        await self._leases.release(name)
        return 0

    async def _reap(self) -> None:
        expired = await self._guard(
            "reaper", lambda: self._store.expire_leases(now=self._clock.now())
        )
        if expired:
            log.warning("%d dispatch claims expired; they will be reconciled", expired)

    async def _check_database(self) -> None:
        assert self._database_check is not None
        await self._guard("database check", self._database_check)

    def _every(
        self,
        interval: timedelta,
        job: Callable[[], Awaitable[None]],
        name: str,
        opts: Mapping[str, Any],
    ) -> None:
        self._scheduler.add_job(
            self._safely,
            "interval",
            args=[name, job],
            seconds=interval.total_seconds(),
            id=name,
            name=name,
            **opts,
        )

    async def _safely(self, name: str, job: Callable[[], Awaitable[None]]) -> None:
        """Every job runs under this: nothing it raises reaches APScheduler (whose own
        "raised an exception" traceback would repeat on every tick)."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job()
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # shutdown() cancels the passes still running: expected, not a crash to report.
            log.debug("%s stopped by the shutdown", name)
        except Exception as exc:
            self._alerts.pass_failed(name, exc)
        finally:
            if task is not None:
                self._running.discard(task)

    async def _guard(self, what: str, step: Step) -> int:
        # A failing pass (database restarting, a bug) must not kill the job; the next tick
        # retries, and every write is fenced, so nothing is lost or doubled. The failure is
        # counted as a condition: a few lines however long it lasts, and one when it clears.
        try:
            result = await step()
        except Exception as exc:
            self._alerts.pass_failed(what, exc)
            return 0
        self._alerts.pass_succeeded(what)
        return result
