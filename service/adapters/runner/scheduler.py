"""Runner: the only APScheduler user; periodic passes plus timers for near-term dispatches.

The database is the truth. APScheduler holds only a few periodic jobs and one timer per
meeting whose dispatch falls inside the next ``timer_window``; every timer just runs a
dispatch pass, so a timer that fires twice or late changes nothing. In burst mode
(``run_due``, as arq's workers have) no APScheduler runs: tests and one-off runs fire what
is due themselves, deterministically.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from service.adapters.runner.passes import Job, Parts, Passes, RunnerSettings
from service.core.ports import Alerts, Clock
from service.usecases.sync_calendars import SyncReport

log = logging.getLogger(__name__)


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


class Runner:
    def __init__(
        self, parts: Parts, *, clock: Clock, alerts: Alerts, settings: RunnerSettings
    ) -> None:
        """Runs the passes over ``parts``; timers plant from ``parts.store``."""
        self._passes = Passes(
            parts, clock=clock, alerts=alerts, settings=settings, after_dispatch=self._plant_timers
        )
        self._store = parts.store
        self._alerts = alerts
        self._clock = clock
        self._settings = settings
        self._scheduler = AsyncIOScheduler(timezone=UTC, logger=_scheduler_log())
        self._planted: dict[int, datetime] = {}
        self._running: set[asyncio.Task[Any]] = set()
        self._due_at: dict[str, datetime] = {}  # burst mode: when each pass is due again

    def start(self) -> None:
        periodic = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
        for name, interval, job in self._passes.periodic():
            self._every(interval, job, name, periodic)
        self._scheduler.start()
        self._scheduler.add_job(
            self._safely,
            args=["start-up", self._passes.start_up],
            id="start-up",
            name="start-up",
            misfire_grace_time=None,
        )

    async def stop(self) -> None:
        """Stop claiming, let the pass in flight finish (bounded), then stop APScheduler."""
        self._passes.stopping = True
        try:
            async with asyncio.timeout(self._settings.drain_timeout.total_seconds()):
                async with self._passes.dispatching:
                    pass
                if self._running:
                    await asyncio.wait(set(self._running))
        except TimeoutError:
            log.warning("a pass is still running at shutdown; its claims will expire")
        # shutdown() cancels job coroutines instead of awaiting them: drain first (above).
        # A pass cancelled in the middle of a query could leave it to a disposed engine.
        if self._scheduler.running:  # not in burst mode
            self._scheduler.shutdown(wait=False)
        await self._passes.release_singletons()

    def timers(self) -> dict[int, datetime]:
        return dict(self._planted)

    async def dispatch_pass(self) -> None:
        """Claim and send until nothing due is left, then plant timers for what comes next."""
        await self._passes.dispatch()

    async def sync_once(self) -> list[SyncReport]:
        """Sync every due calendar now, as the calendar tick does, then replan and dispatch
        if that changed anything; the reports (none while another replica holds the sync)."""
        return await self._passes.sync_once()

    async def run_due(self, now: datetime | None = None) -> list[str]:
        """Burst mode (APScheduler not started): run once, in a fixed order, every periodic
        pass whose interval has come by ``now`` (the clock's by default; one never run is
        due), then one dispatch pass if a planted timer is due; the names of what ran."""
        now = now if now is not None else self._clock.now()
        ran: list[str] = []
        for name, interval, job in self._passes.periodic():
            if self._due_at.get(name, now) <= now:
                self._due_at[name] = now + interval
                await self._safely(name, job)
                ran.append(name)
        fired = [meeting_id for meeting_id, at in self._planted.items() if at <= now]
        for meeting_id in fired:
            del self._planted[meeting_id]
        if fired:
            await self._safely("dispatch", self._passes.dispatch)
            ran.append("dispatch")
        return ran

    def next_due_at(self) -> datetime | None:
        """In burst mode, when the next pass or timer is due (None before the first burst)."""
        return min([*self._due_at.values(), *self._planted.values()], default=None)

    async def _plant_timers(self) -> int:
        now = self._clock.now()
        upcoming = await self._store.upcoming(
            now=now, until=now + self._settings.timer_window, limit=self._settings.max_timers
        )
        for meeting_id, at in upcoming:
            if self._planted.get(meeting_id) == at:
                continue
            self._planted[meeting_id] = at
            if not self._scheduler.running:
                continue  # burst mode: run_due fires it
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
        await self._passes.dispatch()

    def _every(self, interval: timedelta, job: Job, name: str, opts: Mapping[str, Any]) -> None:
        self._scheduler.add_job(
            self._safely,
            "interval",
            args=[name, job],
            seconds=interval.total_seconds(),
            id=name,
            name=name,
            **opts,
        )

    async def _safely(self, name: str, job: Job) -> None:
        """Every job runs under this: nothing it raises reaches APScheduler (whose own
        "raised an exception" traceback would repeat on every tick)."""
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job()
        except asyncio.CancelledError:
            if not self._passes.stopping:
                raise
            # shutdown() cancels the passes still running: expected, not a crash to report.
            log.debug("%s stopped by the shutdown", name)
        except Exception as exc:
            self._alerts.pass_failed(name, exc)
        finally:
            if task is not None:
                self._running.discard(task)
