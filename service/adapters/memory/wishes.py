"""Wishes in memory: after sources or an override changed, load what each touched meeting now
wants, decide (``core.dispatch.decisions``: ``decide_wanted``, ``settle_wish``), write it."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime, timedelta

from service.adapters.memory.rows import MeetingRow
from service.adapters.memory.state import MemoryState
from service.core.dispatch.decisions import Vote, Wish, decide_wanted, settle_wish
from service.core.dispatch.notes import decision_note, settled_notes


def settle_wishes(
    state: MemoryState,
    meeting_ids: Collection[int],
    *,
    changed: Collection[int],
    now: datetime,
    freeze: timedelta,
) -> int:
    """Recompute ``wanted`` and the dispatch state of each meeting; return rows written."""
    written = 0
    for meeting_id in sorted(meeting_ids):
        row = state.meetings.get(meeting_id)
        if row is not None:
            written += _settle_one(
                state, row, changed=meeting_id in changed, now=now, freeze=freeze
            )
    return written


def _votes(state: MemoryState, meeting_id: int) -> list[Vote]:
    return [(s.record, s.reason) for s in state.sources.group("meeting_id", meeting_id)]


def _settle_one(
    state: MemoryState, row: MeetingRow, *, changed: bool, now: datetime, freeze: timedelta
) -> int:
    wanted, reason = decide_wanted(row.override, _votes(state, row.id))
    booked = state.bots.find("active_meeting", row.id)
    if booked is not None and booked.mavera_id is None:
        booked = None
    wish = Wish(
        wanted=wanted,
        join_at=row.join_at,
        meeting_url=row.meeting_url,
        changed=changed,
        booked_join_at=booked.join_at if booked is not None else None,
        booked_url=booked.meeting_url if booked is not None else None,
    )
    settled = settle_wish(row.dispatch_state, wish, now=now, freeze=freeze)
    after = row
    notes: list[tuple[str, str]] = []
    if (wanted, reason) != (row.wanted, row.decision_reason):
        after = replace(after, wanted=wanted, decision_reason=reason)
        notes.append(decision_note(wanted, reason))
    if settled.state is not row.dispatch_state:
        due = now if settled.due_now else row.dispatch_at
        after = replace(after, dispatch_state=settled.state, dispatch_at=due)
    notes += settled_notes(row.dispatch_state, settled)
    for kind, detail in notes:
        state.note(row.id, now, kind, detail)
    if after is not row:
        state.meetings.put(replace(after, updated_at=now))
    return len(notes) + (after is not row)
