"""A store's insides, on each backend, for the few contract tests that check them: the fenced
writes of ``fencing``/``booking``, settling wishes, and the constraints a store relies on
(writes a port never makes, tried directly). Each helper runs in one transaction of the
backend and does the same thing on every backend."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select

from service.adapters.memory import booking as memory_booking
from service.adapters.memory import fencing as memory_fencing
from service.adapters.memory import wishes as memory_wishes
from service.adapters.memory.rows import BotRow
from service.adapters.sql import booking as sql_booking
from service.adapters.sql import fencing as sql_fencing
from service.adapters.sql import wishes as sql_wishes
from service.adapters.sql.tables import bot_status_changes, bots
from service.core.dispatch.claims import Claim
from service.core.dispatch.states import DispatchEvent
from tests.backends import FREEZE, Stores


async def settle(stores: Stores, claim: Claim, now: datetime, event: DispatchEvent) -> bool:
    """End the claim on ``event`` (``fencing.settle``)."""
    if stores.memory is not None:
        with stores.memory.state.transaction() as state:
            return memory_fencing.settle(state, claim, now, event=event)
    assert stores.engine is not None
    async with stores.engine.begin() as conn:
        return await sql_fencing.settle(conn, claim, now, event=event)


async def touch(stores: Stores, claim: Claim, now: datetime, event: DispatchEvent) -> bool:
    """Go on with the claim after ``event`` (``fencing.touch``)."""
    if stores.memory is not None:
        with stores.memory.state.transaction() as state:
            return memory_fencing.touch(state, claim, now, event=event)
    assert stores.engine is not None
    async with stores.engine.begin() as conn:
        return await sql_fencing.touch(conn, claim, now, event=event)


async def settle_unclaimed(
    stores: Stores, meeting_id: int, now: datetime, event: DispatchEvent
) -> None:
    """Apply a late answer's ``event`` to a meeting nobody holds (``booking``)."""
    if stores.memory is not None:
        with stores.memory.state.transaction() as state:
            memory_booking.settle_unclaimed(state, meeting_id, now, event)
        return
    assert stores.engine is not None
    async with stores.engine.begin() as conn:
        await sql_booking.settle_unclaimed(conn, meeting_id, now, event)


async def settle_wishes(stores: Stores, meeting_ids: list[int], *, now: datetime) -> int:
    """Settle the meetings again, as if their sources changed; how many rows it wrote."""
    if stores.memory is not None:
        with stores.memory.state.transaction() as state:
            return memory_wishes.settle_wishes(
                state, meeting_ids, changed=(), now=now, freeze=FREEZE
            )
    assert stores.engine is not None
    async with stores.engine.begin() as conn:
        return await sql_wishes.settle_wishes(conn, meeting_ids, changed=(), now=now, freeze=FREEZE)


async def insert_active_booking(
    stores: Stores, meeting_id: int, *, meeting_url: str, join_at: datetime, now: datetime
) -> None:
    """Write a booking row for the meeting directly, active, as no port ever would."""
    if stores.memory is not None:
        with stores.memory.state.transaction() as state:
            row = BotRow(
                id=state.next_id(state.bots),
                meeting_id=meeting_id,
                meeting_url=meeting_url,
                join_at=join_at,
                active=True,
                attempts=1,
                created_at=now,
                updated_at=now,
            )
            state.bots.insert(row)
        return
    assert stores.engine is not None
    async with stores.engine.begin() as conn:
        await conn.execute(
            insert(bots).values(
                meeting_id=meeting_id,
                meeting_url=meeting_url,
                join_at=join_at,
                active=True,
                attempts=1,
                created_at=now,
                updated_at=now,
            )
        )


async def insert_status_change(stores: Stores, bot_id: int, status: str, at: datetime) -> None:
    """Write a status history row directly, for the bot ``bot_id``."""
    if stores.memory is not None:
        with stores.memory.state.transaction() as state:
            state.add_change(bot_id, status, at)
        return
    assert stores.engine is not None
    async with stores.engine.begin() as conn:
        await conn.execute(
            insert(bot_status_changes).values(bot_id=bot_id, status=status, observed_at=at)
        )


async def status_changes(stores: Stores) -> int:
    """How many status history rows the store holds."""
    if stores.memory is not None:
        return len(stores.memory.state.changes)
    assert stores.engine is not None
    async with stores.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(bot_status_changes)) or 0)
