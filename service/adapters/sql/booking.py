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

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from service.adapters.sql.events import note
from service.adapters.sql.fencing import settle, state_in, touch
from service.adapters.sql.tables import bot_status_changes, bots, meetings
from service.core.dispatch.claims import Claim, Intent, Recorded
from service.core.dispatch.decisions import Wish, booked_event
from service.core.dispatch.states import LATE_ANSWER_STATES, DispatchEvent, target
from service.core.model import RemoteBot

DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True, kw_only=True)
class Holder:
    """The booking row that holds a Mavera id."""

    bot_id: int
    meeting_id: int
    active: bool


async def holder(conn: AsyncConnection, mavera_id: str) -> Holder | None:
    query = select(bots.c.id, bots.c.meeting_id, bots.c.active).where(bots.c.mavera_id == mavera_id)
    row = (await conn.execute(query)).one_or_none()
    return (
        None if row is None else Holder(bot_id=row.id, meeting_id=row.meeting_id, active=row.active)
    )


async def write_bot(
    conn: AsyncConnection,
    intent: Intent,
    remote: RemoteBot,
    now: datetime,
    *,
    next_check_at: datetime | None,
    track_until: datetime,
) -> bool:
    """Put ``remote`` in the intent's booking if that booking holds no bot yet."""
    result = await conn.execute(
        update(bots)
        .where(bots.c.id == intent.bot_id, bots.c.active, bots.c.mavera_id.is_(None))
        .values(
            mavera_id=remote.mavera_id,
            # What this bot was created with: the booking may have been re-intended since.
            meeting_url=intent.meeting_url,
            join_at=intent.join_at,
            status=remote.status,
            status_changed_at=now,
            next_check_at=next_check_at,
            track_until=track_until,
            last_error_code=None,
            last_error_message=None,
            updated_at=now,
        )
    )
    if result.rowcount != 1:
        return False
    await conn.execute(
        insert(bot_status_changes).values(
            bot_id=intent.bot_id, status=remote.status, observed_at=now
        )
    )
    return True


async def write_duplicate(
    conn: AsyncConnection,
    meeting_id: int,
    remote: RemoteBot,
    now: datetime,
    *,
    meeting_url: str,
    join_at: datetime,
) -> None:
    """Record ``remote`` as a duplicate of ``meeting_id``'s bot, so that nobody adopts it.

    Raises IntegrityError if a booking holds it already (the caller must not cancel it then).
    """
    await conn.execute(
        insert(bots).values(
            meeting_id=meeting_id,
            mavera_id=remote.mavera_id,
            meeting_url=remote.meeting_url or meeting_url,
            join_at=remote.join_at or join_at,
            status=remote.status,
            active=False,
            attempts=0,
            last_error_code=DUPLICATE,
            last_error_message="a second bot for this meeting: cancelled",
            created_at=now,
            updated_at=now,
        )
    )
    await note(
        conn, meeting_id, now, DUPLICATE, f"bot {remote.mavera_id} is a second bot: cancelled"
    )


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
    conn: AsyncConnection,
    intent: Intent,
    remote: RemoteBot,
    now: datetime,
    *,
    how: str,
    next_check_at: datetime | None,
    track_until: datetime,
) -> Recorded:
    """Write down the bot a create (or a reconciliation) produced; see ``Recorded``."""
    meeting_id = intent.claim.meeting_id
    claimed = await touch(conn, intent.claim, now)
    found = await holder(conn, remote.mavera_id)
    if found is not None:
        return await _known(conn, intent, found, now, claimed=claimed)
    if await write_bot(
        conn, intent, remote, now, next_check_at=next_check_at, track_until=track_until
    ):
        await note(conn, meeting_id, now, how, f"bot {remote.mavera_id}")
        await settle_booked(conn, intent.claim, intent.bot_id, now, claimed=claimed)
        return Recorded.STORED
    await write_duplicate(
        conn, meeting_id, remote, now, meeting_url=intent.meeting_url, join_at=intent.join_at
    )
    if claimed:
        # The booking got its bot from a worker whose claim had run out: that one stays.
        await settle_booked(conn, intent.claim, intent.bot_id, now, claimed=True)
    return Recorded.DUPLICATE


async def _known(
    conn: AsyncConnection, intent: Intent, found: Holder, now: datetime, *, claimed: bool
) -> Recorded:
    if found.bot_id == intent.bot_id:
        if claimed:
            await settle_booked(conn, intent.claim, intent.bot_id, now, claimed=True)
        return Recorded.STORED
    if claimed:
        await settle(
            conn,
            intent.claim,
            now,
            event=DispatchEvent.DISOWNED,
            dispatch_at=now,
            error="the bot found for this meeting was a duplicate: reconciling again",
        )
    return Recorded.DISOWNED


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
