"""SqlBudget: one request budget per API key, shared by every replica through the database."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.adapters.sql.engine import reading
from service.adapters.sql.tables import api_keys, api_sends
from service.core.api_key import ApiKey
from service.core.ports import Clock, Purpose
from service.core.sliding_window import WINDOW, blocked_for, next_send_at, retry_pause, unlogged

log = logging.getLogger(__name__)


def key_id(api_key: ApiKey) -> str:
    """A stable, non-reversible name for the key: how replicas agree on whose budget it is."""
    return hashlib.sha256(api_key.reveal().encode()).hexdigest()[:32]


class SqlBudget:
    """The sliding-window log of sends lives in ``api_sends``; each acquire is one short
    transaction that locks the key's row, so replicas take turns for a few milliseconds."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        key_id: str,
        limit: int,
        read_share: float,
        clock: Clock,
    ) -> None:
        self._engine = engine
        self._key = key_id
        self._configured = limit
        self._read_share = read_share
        self._clock = clock
        self._last_used = 0

    async def register(self) -> None:
        """Create the key's row if no replica has yet (the configured limit is the start)."""
        now = self._clock.now()
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(api_keys).values(
                        key_id=self._key, requests_per_minute=self._configured, updated_at=now
                    )
                )
        except IntegrityError:
            pass

    async def acquire(self, purpose: Purpose, *, by: datetime | None = None) -> None:
        while True:
            now = self._clock.now()
            wait = await self._try_send(purpose, now)
            if wait is None:
                return
            await self._clock.sleep(retry_pause(wait, now=now, by=by))

    async def free_for_writes(self, now: datetime) -> int:
        async with reading(self._engine) as conn:
            row = await self._row(conn, lock=False)
            if blocked_for(row.blocked_until, now) is not None:
                return 0
            sent = await conn.scalar(
                select(func.count()).where(
                    api_sends.c.key_id == self._key, api_sends.c.sent_at > now - WINDOW
                )
            )
            return max(0, int(row.requests_per_minute) - int(sent or 0))

    async def requests_per_minute(self) -> int:
        async with reading(self._engine) as conn:
            return int((await self._row(conn, lock=False)).requests_per_minute)

    async def block(self, until: datetime) -> None:
        async with self._engine.begin() as conn:
            await self._row(conn, lock=True)
            await conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == self._key)
                .where((api_keys.c.blocked_until.is_(None)) | (api_keys.c.blocked_until < until))
                .values(blocked_until=until, updated_at=self._clock.now())
            )

    async def observe(self, *, limit: int | None, remaining: int | None, now: datetime) -> None:
        if limit is not None and limit >= 1 and limit != self._configured:
            await self._set_limit(limit, now)
        if limit is not None and remaining is not None:
            # The server counts more than our log holds: another client shares the key.
            missing = unlogged(limit=limit, remaining=remaining, logged=self._last_used)
            if missing > 0:
                async with self._engine.begin() as conn:
                    await conn.execute(
                        insert(api_sends),
                        [{"key_id": self._key, "sent_at": now, "is_read": False}] * missing,
                    )
                self._last_used += missing

    async def pause(self, *, until: datetime, reason: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == self._key)
                .values(paused_until=until, pause_reason=reason, updated_at=self._clock.now())
            )

    async def paused(self, now: datetime) -> tuple[datetime, str] | None:
        async with reading(self._engine) as conn:
            row = await self._row(conn, lock=False)
        if row.paused_until is not None and now < row.paused_until:
            return row.paused_until, row.pause_reason or ""
        return None

    async def _try_send(self, purpose: Purpose, now: datetime) -> float | None:
        """Count one send if it fits now; otherwise the seconds to wait."""
        async with self._engine.begin() as conn:
            row = await self._row(conn, lock=True)
            blocked = blocked_for(row.blocked_until, now)
            if blocked is not None:
                return blocked
            await conn.execute(
                delete(api_sends).where(
                    api_sends.c.key_id == self._key, api_sends.c.sent_at <= now - WINDOW
                )
            )
            sends = (
                await conn.execute(
                    select(api_sends.c.sent_at, api_sends.c.is_read)
                    .where(api_sends.c.key_id == self._key)
                    .order_by(api_sends.c.sent_at)
                )
            ).all()
            limit, read = row.requests_per_minute, purpose is Purpose.READ
            at = next_send_at(sends, now, limit, self._read_share, read=read)
            if at > now:
                return (at - now).total_seconds()
            await conn.execute(
                insert(api_sends).values(
                    key_id=self._key, sent_at=now, is_read=purpose is Purpose.READ
                )
            )
        self._last_used = len(sends) + 1
        return None

    async def _row(self, conn: AsyncConnection, *, lock: bool) -> Any:
        query = select(api_keys).where(api_keys.c.key_id == self._key)
        if lock:
            query = query.with_for_update()
        row = (await conn.execute(query)).one_or_none()
        if row is None:
            raise LookupError("the API key is not registered: call register() at start-up")
        return row

    async def _set_limit(self, limit: int, now: datetime) -> None:
        log.warning("Mavera reports %d requests/minute for this key; using it", limit)
        self._configured = limit
        async with self._engine.begin() as conn:
            await conn.execute(
                update(api_keys)
                .where(api_keys.c.key_id == self._key)
                .values(requests_per_minute=limit, updated_at=now)
            )
