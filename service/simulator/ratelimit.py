"""SlidingWindowLimiter: the per-key log of request instants behind the 60-second rate limit."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(seconds=60)


def _unix_ceil(when: datetime) -> int:
    return math.ceil(when.timestamp())


@dataclass(frozen=True, slots=True, kw_only=True)
class RateDecision:
    """Whether one request may go on, and the numbers for the rate-limit headers."""

    allowed: bool
    limit: int
    remaining: int
    reset_at: int
    retry_after: int | None = None

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return headers


class SlidingWindowLimiter:
    """At most ``limit`` admitted requests per key in any window of ``window``.

    A request is in the window while ``at > now - window``; refused requests are not logged.
    """

    def __init__(self, *, limit: int, window: timedelta = WINDOW) -> None:
        self.limit = limit
        self.window = window
        self._logs: dict[str, deque[datetime]] = {}

    def admit(self, key: str, now: datetime) -> RateDecision:
        """Log and allow the request if a slot is free; otherwise refuse with ``retry_after``."""
        log = self._evict(key, now)
        if len(log) >= self.limit:
            leaves_at = log[0] + self.window
            wait = math.ceil((leaves_at - now).total_seconds())
            return RateDecision(
                allowed=False,
                limit=self.limit,
                remaining=0,
                reset_at=_unix_ceil(leaves_at),
                retry_after=max(1, wait),
            )
        log.append(now)
        return RateDecision(
            allowed=True,
            limit=self.limit,
            remaining=self.limit - len(log),
            reset_at=_unix_ceil(log[0] + self.window),
        )

    def peek(self, key: str | None, now: datetime) -> RateDecision:
        """The current numbers without logging anything (for requests that never authenticated)."""
        log = self._evict(key, now) if key is not None else deque[datetime]()
        reset = log[0] + self.window if log else now
        return RateDecision(
            allowed=len(log) < self.limit,
            limit=self.limit,
            remaining=max(0, self.limit - len(log)),
            reset_at=_unix_ceil(reset),
        )

    def _evict(self, key: str, now: datetime) -> deque[datetime]:
        log = self._logs.setdefault(key, deque())
        horizon = now - self.window
        while log and log[0] <= horizon:
            log.popleft()
        return log
