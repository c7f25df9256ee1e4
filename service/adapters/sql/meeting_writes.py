"""Meeting rows as sources write them: new calls in bulk, changes in place, each noted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from service.adapters.sql.events import note
from service.adapters.sql.tables import meeting_events, meetings
from service.core.dispatch.decisions import follows_new_times
from service.core.dispatch.states import DispatchState, initial_state
from service.core.meeting_updates import describe_update, moved, source_changes, sourced_values
from service.core.sourcing import ApplyCounts
from service.core.timing import PlannedMeeting


async def insert_meetings(
    conn: AsyncConnection, items: Sequence[PlannedMeeting], counts: ApplyCounts, now: datetime
) -> dict[str, int]:
    """New meetings in one statement; occurrences of one call in this batch share one."""
    by_call: dict[tuple[str, datetime], PlannedMeeting] = {}
    for item in items:
        by_call.setdefault((item.meeting.meeting_url, item.meeting.start_at), item)
    if not by_call:
        return {}
    firsts = list(by_call.values())
    # Matched by the call itself: asking for rows in parameter order would make SQLite
    # insert them one statement at a time.
    statement = insert(meetings).returning(
        meetings.c.id, meetings.c.meeting_url, meetings.c.start_at
    )
    result = await conn.execute(statement, [_new_meeting(item, now) for item in firsts])
    ids = {(row.meeting_url, row.start_at): row.id for row in result.all()}
    await conn.execute(
        insert(meeting_events),
        [
            {
                "meeting_id": ids[call],
                "at": now,
                "kind": "created",
                "detail": f"from {i.meeting.source}",
            }
            for call, i in by_call.items()
        ],
    )
    counts.created.update(ids.values())
    counts.inserted += len(firsts)
    counts.rows_written += 2 * len(firsts)
    return {i.meeting.source_key: ids[(i.meeting.meeting_url, i.meeting.start_at)] for i in items}


async def meeting_rows(conn: AsyncConnection, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    query = select(meetings).where(meetings.c.id.in_(ids))
    return {row["id"]: row for row in (await conn.execute(query)).mappings()}


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """Source values as the columns take them (the platform's name, attendees as JSON)."""
    columns = dict(values)
    if "platform" in columns:
        columns["platform"] = columns["platform"].value
    if "attendees" in columns:
        columns["attendees"] = list(columns["attendees"])
    return columns


def _new_meeting(item: PlannedMeeting, now: datetime) -> dict[str, Any]:
    return {
        **_columns(sourced_values(item)),
        "wanted": item.meeting.record,
        "decision_reason": item.meeting.reason,
        "dispatch_state": initial_state(wanted=item.meeting.record).value,
        "dispatch_at": item.times.dispatch_at,
        "created_at": now,
        "updated_at": now,
    }


async def update_meeting(
    conn: AsyncConnection,
    rows: dict[int, Any],
    meeting_id: int,
    item: PlannedMeeting,
    counts: ApplyCounts,
    now: datetime,
) -> None:
    row = rows.get(meeting_id)
    changes = {} if row is None else source_changes(row, item)
    if row is None or not changes:
        counts.unchanged += 1
        return
    if follows_new_times(DispatchState(row["dispatch_state"])):
        changes["dispatch_at"] = item.times.dispatch_at
    changes["updated_at"] = now
    await conn.execute(
        update(meetings).where(meetings.c.id == meeting_id).values(_columns(changes))
    )
    await note(conn, meeting_id, now, "updated", describe_update(row, changes))
    rows[meeting_id] = {**row, **changes}
    counts.touched.add(meeting_id)
    if moved(changes):
        counts.changed.add(meeting_id)
    counts.updated += 1
    counts.rows_written += 2
