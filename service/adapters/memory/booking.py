"""Which bot a booking holds, in memory: the first one written to it; any other is recorded
as a duplicate (see the SQL store's ``booking``: the same two fences). Mavera ids are unique
in the ``bots`` table, so "recorded as a duplicate" and "held by a booking" exclude each
other: the table refuses whichever of the two comes second (``Conflict``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from service.adapters.memory.fencing import settle, touch
from service.adapters.memory.rows import BotRow, MeetingRow
from service.adapters.memory.state import MemoryState
from service.core.dispatch.claims import Claim, Intent, Recorded
from service.core.dispatch.decisions import Wish, booked_event
from service.core.dispatch.states import LATE_ANSWER_STATES, DispatchEvent, target
from service.core.model import RemoteBot

DUPLICATE = "duplicate"


def holder(state: MemoryState, mavera_id: str) -> BotRow | None:
    """The booking row that holds a Mavera id."""
    return state.bots.find("mavera_id", mavera_id)


def write_bot(
    state: MemoryState,
    intent: Intent,
    remote: RemoteBot,
    now: datetime,
    *,
    next_check_at: datetime | None,
    track_until: datetime,
) -> bool:
    """Put ``remote`` in the intent's booking if that booking holds no bot yet."""
    row = state.bots.get(intent.bot_id)
    if row is None or not row.active or row.mavera_id is not None:
        return False
    state.bots.put(
        replace(
            row,
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
    state.add_change(intent.bot_id, remote.status, now)
    return True


def write_duplicate(
    state: MemoryState,
    meeting_id: int,
    remote: RemoteBot,
    now: datetime,
    *,
    meeting_url: str,
    join_at: datetime,
) -> None:
    """Record ``remote`` as a duplicate of ``meeting_id``'s bot, so that nobody adopts it.

    :raises Conflict: a booking holds it already (the caller must not cancel it then).
    """
    state.references(state.meetings, meeting_id)
    state.bots.insert(
        BotRow(
            id=state.next_id(state.bots),
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
    state.note(meeting_id, now, DUPLICATE, f"bot {remote.mavera_id} is a second bot: cancelled")


def held_bot_event(state: MemoryState, meeting_id: int, bot_id: int) -> DispatchEvent:
    """Created if the booking's bot fits the meeting as it is now; moved if the meeting moved,
    changed its link or stopped wanting a bot while the bot was being booked."""
    meeting, bot = state.meetings.get(meeting_id), state.bots.get(bot_id)
    assert meeting is not None
    assert bot is not None
    return fit_event(meeting, bot)


def fit_event(meeting: MeetingRow, bot: BotRow) -> DispatchEvent:
    """``decisions.booked_event`` for the meeting and the bot its booking holds."""
    wish = Wish(
        wanted=meeting.wanted,
        join_at=meeting.join_at,
        meeting_url=meeting.meeting_url,
        changed=False,
        booked_join_at=bot.join_at,
        booked_url=bot.meeting_url,
    )
    return booked_event(wish)


def settle_unclaimed(
    state: MemoryState, meeting_id: int, now: datetime, event: DispatchEvent
) -> None:
    """Apply ``event`` to a meeting nobody holds (waiting for a retry, or to be reconciled);
    a meeting another worker holds is left to it (its next write finds the bot)."""
    after = target(event, LATE_ANSWER_STATES)
    row = state.meetings.get(meeting_id)
    if row is not None and row.dispatch_state in LATE_ANSWER_STATES:
        state.meetings.put(replace(row, dispatch_state=after, last_error=None, updated_at=now))


def record(
    state: MemoryState,
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
    claimed = touch(state, intent.claim, now)
    found = holder(state, remote.mavera_id)
    if found is not None:
        return _known(state, intent, found, now, claimed=claimed)
    if write_bot(state, intent, remote, now, next_check_at=next_check_at, track_until=track_until):
        state.note(meeting_id, now, how, f"bot {remote.mavera_id}")
        settle_booked(state, intent.claim, intent.bot_id, now, claimed=claimed)
        return Recorded.STORED
    write_duplicate(
        state, meeting_id, remote, now, meeting_url=intent.meeting_url, join_at=intent.join_at
    )
    if claimed:
        # The booking got its bot from a worker whose claim had run out: that one stays.
        settle_booked(state, intent.claim, intent.bot_id, now, claimed=True)
    return Recorded.DUPLICATE


def _known(
    state: MemoryState, intent: Intent, found: BotRow, now: datetime, *, claimed: bool
) -> Recorded:
    if found.id == intent.bot_id:
        if claimed:
            settle_booked(state, intent.claim, intent.bot_id, now, claimed=True)
        return Recorded.STORED
    if claimed:
        settle(
            state,
            intent.claim,
            now,
            event=DispatchEvent.DISOWNED,
            dispatch_at=now,
            error="the bot found for this meeting was a duplicate: reconciling again",
        )
    return Recorded.DISOWNED


def settle_booked(
    state: MemoryState, claim: Claim, bot_id: int, now: datetime, *, claimed: bool
) -> None:
    """End the meeting's dispatch on the bot its booking holds: booked, or stale if the
    meeting changed meanwhile (a stale bot is cancelled and booked again by the next pass)."""
    meeting_id = claim.meeting_id
    event = held_bot_event(state, meeting_id, bot_id)
    if not claimed:
        settle_unclaimed(state, meeting_id, now, event)
        return
    settle(state, claim, now, event=event)
    if event is DispatchEvent.MOVED:
        state.note(meeting_id, now, "state", "changed while booking")
