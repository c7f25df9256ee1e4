"""MemoryBudget: one request budget per API key, shared by every "replica" on one
``MemoryState`` (the ``RequestBudget`` port as ``SqlBudget`` keeps it: a log of sends)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from service.adapters.memory.rows import ApiKeyRow, SendRow
from service.adapters.memory.state import MemoryState
from service.core.ports import Clock, Purpose
from service.core.sliding_window import WINDOW, blocked_for, next_send_at, retry_pause, unlogged

log = logging.getLogger(__name__)


class MemoryBudget:
    """The ``RequestBudget`` port on a ``MemoryState``: the key's row and its log of sends,
    shared by every budget built on the same state (a sole process can use ``LocalBudget``)."""

    def __init__(
        self, state: MemoryState, *, key_id: str, limit: int, read_share: float, clock: Clock
    ) -> None:
        self._state = state
        self._key = key_id
        self._configured = limit
        self._read_share = read_share
        self._clock = clock
        self._last_used = 0

    async def register(self) -> None:
        """As ``SqlBudget.register``: the key's row, unless a budget on this state made it."""
        with self._state.transaction() as state:
            if state.api_keys.get(self._key) is None:
                row = ApiKeyRow(
                    key_id=self._key,
                    requests_per_minute=self._configured,
                    updated_at=self._clock.now(),
                )
                state.api_keys.insert(row)

    async def acquire(self, purpose: Purpose, *, by: datetime | None = None) -> None:
        while True:
            now = self._clock.now()
            wait = self._try_send(purpose, now)
            if wait is None:
                return
            await self._clock.sleep(retry_pause(wait, now=now, by=by))

    async def free_for_writes(self, now: datetime) -> int:
        row = self._row()
        if blocked_for(row.blocked_until, now) is not None:
            return 0
        sent = sum(1 for send in self._sends() if send.sent_at > now - WINDOW)
        return max(0, row.requests_per_minute - sent)

    async def requests_per_minute(self) -> int:
        return self._row().requests_per_minute

    async def block(self, until: datetime) -> None:
        with self._state.transaction() as state:
            row = self._row()
            if row.blocked_until is None or row.blocked_until < until:
                state.api_keys.put(replace(row, blocked_until=until, updated_at=self._clock.now()))

    async def observe(self, *, limit: int | None, remaining: int | None, now: datetime) -> None:
        if limit is not None and limit >= 1 and limit != self._configured:
            log.warning("Mavera reports %d requests/minute for this key; using it", limit)
            self._configured = limit
            with self._state.transaction() as state:
                state.api_keys.put(replace(self._row(), requests_per_minute=limit, updated_at=now))
        if limit is not None and remaining is not None:
            # The server counts more than our log holds: another client shares the key.
            missing = unlogged(limit=limit, remaining=remaining, logged=self._last_used)
            if missing > 0:
                with self._state.transaction():
                    for _ in range(missing):
                        self._send(now, read=False)
                self._last_used += missing

    async def pause(self, *, until: datetime, reason: str) -> None:
        with self._state.transaction() as state:
            state.api_keys.put(
                replace(
                    self._row(),
                    paused_until=until,
                    pause_reason=reason,
                    updated_at=self._clock.now(),
                )
            )

    async def paused(self, now: datetime) -> tuple[datetime, str] | None:
        row = self._row()
        if row.paused_until is not None and now < row.paused_until:
            return row.paused_until, row.pause_reason or ""
        return None

    def _try_send(self, purpose: Purpose, now: datetime) -> float | None:
        """Count one send if it fits now; otherwise the seconds to wait."""
        with self._state.transaction() as state:
            row = self._row()
            blocked = blocked_for(row.blocked_until, now)
            if blocked is not None:
                return blocked
            for send in self._sends():
                if send.sent_at <= now - WINDOW:
                    state.sends.delete(send.id)
            sends = sorted(self._sends(), key=lambda send: (send.sent_at, send.id))
            sent = [(send.sent_at, send.is_read) for send in sends]
            limit, read = row.requests_per_minute, purpose is Purpose.READ
            at = next_send_at(sent, now, limit, self._read_share, read=read)
            if at > now:
                return (at - now).total_seconds()
            self._send(now, read=purpose is Purpose.READ)
        self._last_used = len(sends) + 1
        return None

    def _send(self, now: datetime, *, read: bool) -> None:
        state = self._state
        row = SendRow(id=state.next_id(state.sends), key_id=self._key, sent_at=now, is_read=read)
        state.sends.insert(row)

    def _sends(self) -> list[SendRow]:
        return self._state.sends.group("key_id", self._key)

    def _row(self) -> ApiKeyRow:
        row = self._state.api_keys.get(self._key)
        if row is None:
            raise LookupError("the API key is not registered: call register() at start-up")
        return row
