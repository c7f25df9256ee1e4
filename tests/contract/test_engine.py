"""Engine behaviour on every SQL backend: readers are never blocked by a writer.

SQL-only by nature (the memory store has no engine): it runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.sql.engine import reading
from service.adapters.sql.tables import leases
from tests.conftest import T0

pytestmark = pytest.mark.sql


async def test_a_reader_does_not_wait_for_a_writer(engine: AsyncEngine) -> None:
    async with engine.begin() as writer:
        await writer.execute(insert(leases).values(name="x", holder="w", until=T0))
        async with asyncio.timeout(2), reading(engine) as reader:
            # The write is not committed yet: the reader sees the state before it.
            assert (await reader.execute(select(leases))).all() == []
    async with reading(engine) as reader:
        assert [row.name for row in await reader.execute(select(leases))] == ["x"]
