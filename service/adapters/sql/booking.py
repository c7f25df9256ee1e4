"""Which bot a booking holds: the first one written to it; any other is a recorded duplicate.

A create's answer can arrive after its claim was lost (a slow API, a paused process) while
another worker reconciles the same booking. Two fences keep the meeting at exactly one bot
without ever cancelling the one the store keeps:

- a compare-and-set on the booking row (``mavera_id IS NULL``) decides which bot it holds,
  whoever's claim is current: a known answer is never thrown away;
- a bot that lost is first recorded as a duplicate (an inactive row with its Mavera id) and
  only then cancelled. Mavera ids are unique, so "recorded as a duplicate" and "held by a
  booking" exclude each other: the database refuses whichever of the two comes second.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from service.adapters.sql.events import note
from service.adapters.sql.fencing import settle, state_in, touch
from service.adapters.sql.tables import bot_status_changes, bots, meetings
from service.core.dispatch import writes
from service.core.dispatch.claims import Claim, Created, Duplicate, Intent, Recorded
from service.core.dispatch.decisions import Wish, booked_event
from service.core.dispatch.states import LATE_ANSWER_STATES, DispatchEvent, target

E = DispatchEvent


async def holder(conn: AsyncConnection, mavera_id: str) -> int | None:
    """The booking row that holds a Mavera id."""
    return await conn.scalar(select(bots.c.id).where(bots.c.mavera_id == mavera_id))


async def write_bot(conn: AsyncConnection, intent: Intent, created: Created, now: datetime) -> bool:
    """Put the created bot in the intent's booking if that booking holds no bot yet."""
    result = await conn.execute(
        update(bots)
        .where(bots.c.id == intent.bot_id, bots.c.active, bots.c.mavera_id.is_(None))
        .values(writes.filled_fields(intent, created, now))
    )
    if result.rowcount != 1:
        return False
    await conn.execute(
        insert(bot_status_changes).values(
            bot_id=intent.bot_id, status=created.bot.status, observed_at=now
        )
    )
    return True


async def write_duplicate(conn: AsyncConnection, duplicate: Duplicate, now: datetime) -> None:
    """Record a duplicate, so that nobody adopts it.

    Raises IntegrityError if a booking holds it already (the caller must not cancel it then).
    """
    await conn.execute(insert(bots).values(writes.duplicate_fields(duplicate, now)))
    await note(conn, duplicate.meeting_id, now, *writes.duplicate_note(duplicate))


async def held_bot_event(conn: AsyncConnection, meeting_id: int, bot_id: int) -> DispatchEvent:
    """Created if the booking's bot fits the meeting as it is now; moved if the meeting moved,
    changed its link or stopped wanting a bot while the bot was being booked."""
    query = (
        select(
            meetings.c.wanted,
            meetings.c.join_at,
            meetings.c.meeting_url,
            bots.c.join_at.label("bot_join_at"),
            bots.c.meeting_url.label("bot_url"),
        )
        .select_from(meetings.join(bots, bots.c.meeting_id == meetings.c.id))
        .where(meetings.c.id == meeting_id, bots.c.id == bot_id)
    )
    row = (await conn.execute(query)).one()
    wish = Wish(
        wanted=row.wanted,
        join_at=row.join_at,
        meeting_url=row.meeting_url,
        changed=False,
        booked_join_at=row.bot_join_at,
        booked_url=row.bot_url,
    )
    return booked_event(wish)


async def settle_unclaimed(
    conn: AsyncConnection, meeting_id: int, now: datetime, event: DispatchEvent
) -> None:
    """Apply ``event`` to a meeting nobody holds (waiting for a retry, or to be reconciled);
    a meeting another worker holds is left to it (its next write finds the bot)."""
    state = target(event, LATE_ANSWER_STATES)
    await conn.execute(
        update(meetings)
        .where(meetings.c.id == meeting_id, state_in(LATE_ANSWER_STATES))
        .values(dispatch_state=state.value, last_error=None, updated_at=now)
    )


async def record(
    conn: AsyncConnection, intent: Intent, created: Created, now: datetime
) -> Recorded:
    """Write down the bot a create (or a reconciliation) produced; see ``writes.recording``."""
    claim, mavera_id = intent.claim, created.bot.mavera_id
    claimed = await touch(conn, claim, now)
    found = await holder(conn, mavera_id)
    filled = found is None and await write_bot(conn, intent, created, now)
    if filled:
        await note(conn, claim.meeting_id, now, created.how, f"bot {mavera_id}")
    elif found is None:
        await write_duplicate(conn, Duplicate.of(intent, created.bot), now)
    done = writes.recording(intent.bot_id, found, filled=filled, claimed=claimed)
    if done.ending is writes.Ending.BOOKED:
        await settle_booked(conn, claim, intent.bot_id, now, claimed=claimed)
    elif done.ending is writes.Ending.DISOWNED:
        await settle(
            conn, claim, now, event=E.DISOWNED, dispatch_at=now, error=writes.DISOWNED_ERROR
        )
    return done.recorded


async def settle_booked(
    conn: AsyncConnection, claim: Claim, bot_id: int, now: datetime, *, claimed: bool
) -> None:
    """End the meeting's dispatch on the bot its booking holds: booked, or stale if the
    meeting changed meanwhile (a stale bot is cancelled and booked again by the next pass)."""
    meeting_id = claim.meeting_id
    event = await held_bot_event(conn, meeting_id, bot_id)
    if not claimed:
        await settle_unclaimed(conn, meeting_id, now, event)
        return
    await settle(conn, claim, now, event=event)
    if event is DispatchEvent.MOVED:
        await note(conn, meeting_id, now, "state", "changed while booking")
