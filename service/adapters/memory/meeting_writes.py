"""Meeting rows in memory as sources write them: new calls, changes in place, each noted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from service.adapters.memory.rows import MeetingRow, values
from service.adapters.memory.state import MemoryState
from service.core.dispatch.decisions import follows_new_times
from service.core.dispatch.states import initial_state
from service.core.meeting_updates import describe_update, moved, source_changes, sourced_values
from service.core.sourcing import ApplyCounts
from service.core.timing import PlannedMeeting


def insert_meetings(
    state: MemoryState, items: Sequence[PlannedMeeting], counts: ApplyCounts, now: datetime
) -> dict[str, int]:
    """New meetings; occurrences of one call in this batch share one. Source key -> id."""
    by_call: dict[tuple[str, datetime], PlannedMeeting] = {}
    for item in items:
        by_call.setdefault((item.meeting.meeting_url, item.meeting.start_at), item)
    ids: dict[tuple[str, datetime], int] = {}
    for call, item in by_call.items():
        row = _new_meeting(state, item, now)
        state.meetings.insert(row)
        ids[call] = row.id
    for call, item in by_call.items():
        state.note(ids[call], now, "created", f"from {item.meeting.source}")
    counts.created.update(ids.values())
    counts.inserted += len(by_call)
    counts.rows_written += 2 * len(by_call)
    return {i.meeting.source_key: ids[(i.meeting.meeting_url, i.meeting.start_at)] for i in items}


def _new_meeting(state: MemoryState, item: PlannedMeeting, now: datetime) -> MeetingRow:
    return MeetingRow(
        id=state.next_id(state.meetings),
        **sourced_values(item),
        wanted=item.meeting.record,
        decision_reason=item.meeting.reason,
        dispatch_state=initial_state(wanted=item.meeting.record),
        dispatch_at=item.times.dispatch_at,
        created_at=now,
        updated_at=now,
    )


def update_meeting(
    state: MemoryState, meeting_id: int, item: PlannedMeeting, counts: ApplyCounts, now: datetime
) -> None:
    """Apply ``item``'s changes (if it is not older) to the meeting, noted on its story."""
    row = state.meetings.get(meeting_id)
    changes = source_changes(values(row), item) if row is not None else {}
    if row is None or not changes:
        counts.unchanged += 1
        return
    dispatch_at = item.times.dispatch_at if follows_new_times(row.dispatch_state) else None
    state.meetings.put(
        replace(row, **changes, dispatch_at=dispatch_at or row.dispatch_at, updated_at=now)
    )
    state.note(meeting_id, now, "updated", describe_update(values(row), changes))
    counts.touched.add(meeting_id)
    if moved(changes):
        counts.changed.add(meeting_id)
    counts.updated += 1
    counts.rows_written += 2
