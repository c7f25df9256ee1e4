"""SqlLeases: named singleton leases, so a periodic job runs on one replica at a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.sql.tables import leases


class SqlLeases:
    """The ``Leases`` port on the database."""

    def __init__(self, engine: AsyncEngine, *, holder: str) -> None:
        self._engine = engine
        self.holder = holder

    async def hold(self, name: str, *, now: datetime, ttl: timedelta) -> bool:
        taken = (
            update(leases)
            .where(leases.c.name == name)
            .where((leases.c.holder == self.holder) | (leases.c.until < now))
            .values(holder=self.holder, until=now + ttl)
        )
        async with self._engine.begin() as conn:
            if (await conn.execute(taken)).rowcount == 1:
                return True
        try:
            async with self._engine.begin() as conn:
                await conn.execute(
                    insert(leases).values(name=name, holder=self.holder, until=now + ttl)
                )
        except IntegrityError:
            return False
        return True

    async def release(self, name: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                update(leases)
                .where(leases.c.name == name, leases.c.holder == self.holder)
                .values(until=datetime(1970, 1, 1, tzinfo=UTC))
            )
