"""LocalBudget: the request budget of a sole daemon (SQLite), kept in memory."""

from __future__ import annotations

import logging
from datetime import datetime

from service.core.errors import SendWindowPassed
from service.core.ports import Clock, Purpose
from service.core.sliding_window import WINDOW, SlidingWindow, read_limit

log = logging.getLogger(__name__)


class LocalBudget:
    """All requests share ``limit`` per window; reads alone may use at most ``read_share``.

    Exact for one process: on SQLite only one daemon may run (PostgreSQL replicas share
    ``SqlBudget`` instead).
    """

    def __init__(self, *, limit: int, read_share: float, clock: Clock) -> None:
        self._clock = clock
        self._read_share = read_share
        self._all = SlidingWindow(limit=limit, length=WINDOW)
        self._reads = SlidingWindow(limit=read_limit(limit, read_share), length=WINDOW)
        self._paused: tuple[datetime, str] | None = None

    async def acquire(self, purpose: Purpose, *, by: datetime | None = None) -> None:
        while True:
            now = self._clock.now()
            at = self._next_free_at(purpose, now)
            if by is not None and at > by:
                raise SendWindowPassed("no room in the request budget before the send-by time")
            if at <= now:
                self._all.record(now)
                if purpose is Purpose.READ:
                    self._reads.record(now)
                return
            await self._clock.sleep((at - now).total_seconds())

    async def free_for_writes(self, now: datetime) -> int:
        return self._all.free(now)

    async def requests_per_minute(self) -> int:
        return self._all.limit

    async def block(self, until: datetime) -> None:
        self._all.block(until)

    async def observe(self, *, limit: int | None, remaining: int | None, now: datetime) -> None:
        if limit is not None and limit >= 1 and limit != self._all.limit:
            log.warning("Mavera reports %d requests/minute for this key; using it", limit)
            self._all.limit = limit
            self._reads.limit = read_limit(limit, self._read_share)
        if limit is not None and remaining is not None:
            self._all.align(server_used=limit - remaining, now=now)

    async def pause(self, *, until: datetime, reason: str) -> None:
        self._paused = (until, reason)

    async def paused(self, now: datetime) -> tuple[datetime, str] | None:
        if self._paused is not None and now < self._paused[0]:
            return self._paused
        return None

    def _next_free_at(self, purpose: Purpose, now: datetime) -> datetime:
        at = self._all.next_free_at(now)
        if purpose is Purpose.READ:
            at = max(at, self._reads.next_free_at(now))
        return at
