"""SlidingWindow: a pure log of request times, the same algorithm Mavera documents; the
window every request budget counts in, and the reads' share of it; and the arithmetic of a
budget kept as a log of sends in a store (``SqlBudget``, ``MemoryBudget``)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final

from service.core.errors import SendWindowPassed

# Our clock and the server's differ by network delay: keep each send in our log a little
# longer than the server does, so a request never lands just before an old one expires there.
WINDOW = timedelta(seconds=61)
MIN_WAIT: Final = 0.005
"""The shortest pause (seconds) before a budget kept in a store tries to send again."""


def read_limit(limit: int, share: float) -> int:
    """How many of ``limit`` requests a window may spend on reads (at least one)."""
    return max(1, int(limit * share))


class SlidingWindow:
    """At most ``limit`` requests in any window of ``length``; every method takes ``now``.

    A token bucket would let 2x the limit through in the first minute after an idle spell
    (a full bucket plus its refill); a log of send times matches the server's sliding window.
    """

    def __init__(self, *, limit: int, length: timedelta) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.length = length
        self._sent: deque[datetime] = deque()
        self._blocked_until: datetime | None = None

    def _expire(self, now: datetime) -> None:
        """Forget sends that left the window; only when recording at ``now`` (queries about
        another time must not change what the present sees)."""
        horizon = now - self.length
        while self._sent and self._sent[0] <= horizon:
            self._sent.popleft()

    def used(self, now: datetime) -> int:
        horizon = now - self.length
        return sum(1 for sent in self._sent if horizon < sent <= now)

    def free(self, now: datetime) -> int:
        if self._blocked_until is not None and now < self._blocked_until:
            return 0
        return max(0, self.limit - self.used(now))

    def record(self, now: datetime, count: int = 1) -> None:
        self._expire(now)
        self._sent.extend([now] * count)

    def next_free_at(self, now: datetime) -> datetime:
        """The earliest time at which one more request fits."""
        at = now
        if self._blocked_until is not None and at < self._blocked_until:
            at = self._blocked_until
        horizon = at - self.length
        live = [sent for sent in self._sent if sent > horizon]
        if len(live) < self.limit:
            return at
        return live[len(live) - self.limit] + self.length

    def block(self, until: datetime) -> None:
        """Send nothing before ``until`` (after a 429)."""
        if self._blocked_until is None or until > self._blocked_until:
            self._blocked_until = until

    def align(self, *, server_used: int, now: datetime) -> None:
        """The server counts more requests than we sent (another client shares the key)."""
        missing = server_used - self.used(now)
        if missing > 0:
            self.record(now, missing)


def next_send_at(
    sends: Iterable[tuple[datetime, bool]],
    now: datetime,
    limit: int,
    read_share: float,
    *,
    read: bool,
) -> datetime:
    """When one more request fits a key's budget, given its log of sends (sent at, was a
    read), oldest first: every request counts against ``limit``, reads also against their
    share of it."""
    every = SlidingWindow(limit=limit, length=WINDOW)
    reads = SlidingWindow(limit=read_limit(limit, read_share), length=WINDOW)
    for sent_at, is_read in sends:
        every.record(sent_at)
        if is_read:
            reads.record(sent_at)
    at = every.next_free_at(now)
    return max(at, reads.next_free_at(now)) if read else at


def blocked_for(blocked_until: datetime | None, now: datetime) -> float | None:
    """Seconds left of a key's block (a 429's Retry-After); None: it is not blocked."""
    if blocked_until is not None and now < blocked_until:
        return (blocked_until - now).total_seconds()
    return None


def retry_pause(wait: float, *, now: datetime, by: datetime | None) -> float:
    """How long to sleep before trying to send again, ``wait`` seconds being the budget's
    answer (at least ``MIN_WAIT``).

    :raises SendWindowPassed: the wait runs past ``by`` (nothing was counted or sent).
    """
    if by is not None and now + timedelta(seconds=wait) > by:
        raise SendWindowPassed("no room in the request budget before the send-by time")
    return max(wait, MIN_WAIT)


def unlogged(*, limit: int, remaining: int, logged: int) -> int:
    """How many sends Mavera counts in the window beyond the ``logged`` ones (another client
    shares the key): they are logged too, so that the budget sees them."""
    return max(0, (limit - remaining) - logged)
