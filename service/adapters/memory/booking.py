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
from service.core.dispatch import writes
from service.core.dispatch.claims import Claim, Created, Duplicate, Intent, Recorded
from service.core.dispatch.decisions import Wish, booked_event
from service.core.dispatch.states import LATE_ANSWER_STATES, DispatchEvent, target

E = DispatchEvent


def holder(state: MemoryState, mavera_id: str) -> BotRow | None:
    """The booking row that holds a Mavera id."""
    return state.bots.find("mavera_id", mavera_id)


def write_bot(state: MemoryState, intent: Intent, created: Created, now: datetime) -> bool:
    """Put the created bot in the intent's booking if that booking holds no bot yet."""
    row = state.bots.get(intent.bot_id)
    if row is None or not row.active or row.mavera_id is not None:
        return False
    state.bots.put(replace(row, **writes.filled_fields(intent, created, now)))
    state.add_change(intent.bot_id, created.bot.status, now)
    return True


def write_duplicate(state: MemoryState, duplicate: Duplicate, now: datetime) -> None:
    """Record a duplicate, so that nobody adopts it.

    :raises Conflict: a booking holds it already (the caller must not cancel it then).
    """
    state.references(state.meetings, duplicate.meeting_id)
    fields = writes.duplicate_fields(duplicate, now)
    state.bots.insert(BotRow(id=state.next_id(state.bots), **fields))
    state.note(duplicate.meeting_id, now, *writes.duplicate_note(duplicate))


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


def record(state: MemoryState, intent: Intent, created: Created, now: datetime) -> Recorded:
    """Write down the bot a create (or a reconciliation) produced; see ``writes.recording``."""
    claim, mavera_id = intent.claim, created.bot.mavera_id
    claimed = touch(state, claim, now)
    found = holder(state, mavera_id)
    filled = found is None and write_bot(state, intent, created, now)
    if filled:
        state.note(claim.meeting_id, now, created.how, f"bot {mavera_id}")
    elif found is None:
        write_duplicate(state, Duplicate.of(intent, created.bot), now)
    held_by = None if found is None else found.id
    done = writes.recording(intent.bot_id, held_by, filled=filled, claimed=claimed)
    if done.ending is writes.Ending.BOOKED:
        settle_booked(state, claim, intent.bot_id, now, claimed=claimed)
    elif done.ending is writes.Ending.DISOWNED:
        settle(state, claim, now, event=E.DISOWNED, dispatch_at=now, error=writes.DISOWNED_ERROR)
    return done.recorded


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
