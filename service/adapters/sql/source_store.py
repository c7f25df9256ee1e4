"""SqlSourceStore: one source's meetings in; one meeting per real call, whatever the source.

An occurrence finds its meeting by, in order: this source's own earlier row for the same
key; the same occurrence key from another source (one invitation in many calendars); the
same call (normalized URL and start). Only a change with a SEQUENCE at least the meeting's
updates it, so an older copy of an event never undoes a newer one. A source row that a
complete fetch no longer carries, inside the window the fetch covers, is gone; a meeting
with no source left wants no bot.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from service.adapters.sql.events import note
from service.adapters.sql.meeting_writes import insert_meetings, meeting_rows, update_meeting
from service.adapters.sql.tables import meeting_sources, meetings
from service.adapters.sql.wishes import settle_wishes
from service.core.sourcing import ApplyCounts, SourceMeetings, source_fields
from service.core.timing import PlannedMeeting

CHUNK = 400


class SqlSourceStore:
    """The ``SourceStore`` port on the database."""

    def __init__(self, engine: AsyncEngine, *, freeze: timedelta) -> None:
        self._engine = engine
        self._freeze = freeze

    async def apply(self, incoming: SourceMeetings, *, now: datetime) -> ApplyCounts:
        async with self._engine.begin() as conn:
            return await apply_source(conn, incoming, now=now, freeze=self._freeze)


async def apply_source(
    conn: AsyncConnection, incoming: SourceMeetings, *, now: datetime, freeze: timedelta
) -> ApplyCounts:
    """``SqlSourceStore.apply`` inside the caller's transaction."""
    source, planned = incoming.source, incoming.planned
    counts = ApplyCounts()
    own = await _own_sources(conn, source, planned, whole=incoming.window is not None)
    for start in range(0, len(planned), CHUNK):
        await _apply_chunk(conn, source, planned[start : start + CHUNK], own, counts, now)
    await _drop_gone(conn, own, incoming, counts, now)
    counts.rows_written += await settle_wishes(
        conn, counts.to_settle(), changed=counts.changed, now=now, freeze=freeze
    )
    return counts


async def drop_source(
    conn: AsyncConnection, source: str, *, now: datetime, freeze: timedelta
) -> ApplyCounts:
    """Every row of ``source`` goes, inside the caller's transaction; each meeting that had
    one is settled (one left with no source wants no bot, and its bot is cancelled)."""
    return await apply_source(conn, SourceMeetings.gone(source), now=now, freeze=freeze)


async def _own_sources(
    conn: AsyncConnection, source: str, planned: Sequence[PlannedMeeting], *, whole: bool
) -> dict[str, Any]:
    """This source's rows: all of them for a complete fetch, else those it mentions."""
    query = select(meeting_sources).where(meeting_sources.c.source == source)
    if whole:
        return {row["source_key"]: row for row in (await conn.execute(query)).mappings()}
    keys = [item.meeting.source_key for item in planned]
    found: dict[str, Any] = {}
    for start in range(0, len(keys), CHUNK):
        chunk_query = query.where(meeting_sources.c.source_key.in_(keys[start : start + CHUNK]))
        found.update({r["source_key"]: r for r in (await conn.execute(chunk_query)).mappings()})
    return found


async def _apply_chunk(
    conn: AsyncConnection,
    source: str,
    chunk: Sequence[PlannedMeeting],
    own: dict[str, Any],
    counts: ApplyCounts,
    now: datetime,
) -> None:
    homes = await _find_homes(conn, chunk, own)
    rows = await meeting_rows(conn, set(homes.values()))
    homeless = [i for i in chunk if i.meeting.source_key not in homes and i.may_create]
    homes.update(await insert_meetings(conn, homeless, counts, now))
    fresh: list[dict[str, Any]] = []
    for item in chunk:
        meeting_id = homes.get(item.meeting.source_key)
        if meeting_id is None:
            continue  # a cancelled or finished occurrence of a meeting we never had
        if meeting_id in rows:
            await update_meeting(conn, rows, meeting_id, item, counts, now)
        existing = own.get(item.meeting.source_key)
        if existing is None:
            fresh.append(_source_row(source, item, meeting_id, now))
            counts.touched.add(meeting_id)
            counts.sourced[meeting_id] += 1
        else:
            await _update_source(conn, item, existing, meeting_id, counts, now)
    if fresh:
        await conn.execute(insert(meeting_sources), fresh)
        counts.rows_written += len(fresh)


async def _find_homes(
    conn: AsyncConnection, chunk: Sequence[PlannedMeeting], own: dict[str, Any]
) -> dict[str, int]:
    """The meeting each item belongs to: by this source's own key, by the same key from
    another source (the same invitation), or by the same call (link and start)."""
    homes = {
        item.meeting.source_key: own[item.meeting.source_key]["meeting_id"]
        for item in chunk
        if item.meeting.source_key in own
    }
    rest = [item for item in chunk if item.meeting.source_key not in homes]
    if rest:
        homes |= await _homes_by_key(conn, rest)
    rest = [item for item in rest if item.meeting.source_key not in homes]
    if rest:
        homes |= await _homes_by_call(conn, rest)
    return homes


async def _homes_by_key(conn: AsyncConnection, items: Sequence[PlannedMeeting]) -> dict[str, int]:
    by_key = select(meeting_sources.c.source_key, meeting_sources.c.meeting_id).where(
        meeting_sources.c.source_key.in_([item.meeting.source_key for item in items])
    )
    homes: dict[str, int] = {}
    for row in await conn.execute(by_key.order_by(meeting_sources.c.id.desc())):
        homes[row.source_key] = row.meeting_id
    return homes


async def _homes_by_call(conn: AsyncConnection, items: Sequence[PlannedMeeting]) -> dict[str, int]:
    calls = {(item.meeting.meeting_url, item.meeting.start_at) for item in items}
    starts = [start for _, start in calls]
    # Links and a start range rather than a (link, start) row-value IN: SQLite answers
    # that by scanning the whole index, once per calendar synced.
    by_call = select(meetings.c.id, meetings.c.meeting_url, meetings.c.start_at).where(
        meetings.c.meeting_url.in_({url for url, _ in calls}),
        meetings.c.start_at.between(min(starts), max(starts)),
    )
    found = {
        (r.meeting_url, r.start_at): r.id
        for r in await conn.execute(by_call)
        if (r.meeting_url, r.start_at) in calls
    }
    return {
        item.meeting.source_key: found[(item.meeting.meeting_url, item.meeting.start_at)]
        for item in items
        if (item.meeting.meeting_url, item.meeting.start_at) in found
    }


def _source_row(
    source: str, item: PlannedMeeting, meeting_id: int, now: datetime
) -> dict[str, Any]:
    return {
        **source_fields(item, meeting_id),
        "source": source,
        "source_key": item.meeting.source_key,
        "updated_at": now,
    }


async def _update_source(
    conn: AsyncConnection,
    item: PlannedMeeting,
    existing: Any,
    meeting_id: int,
    counts: ApplyCounts,
    now: datetime,
) -> None:
    values = source_fields(item, meeting_id)
    changed = {name: value for name, value in values.items() if existing[name] != value}
    if not changed:
        return
    counts.touched.update({meeting_id, existing["meeting_id"]})
    changed["updated_at"] = now
    where = meeting_sources.c.id == existing["id"]
    await conn.execute(update(meeting_sources).where(where).values(changed))
    counts.rows_written += 1


async def _drop_gone(
    conn: AsyncConnection,
    own: dict[str, Any],
    incoming: SourceMeetings,
    counts: ApplyCounts,
    now: datetime,
) -> None:
    missing = incoming.missing({key: row["start_at"] for key, row in own.items()})
    for row in (row for key, row in own.items() if key in missing):
        await conn.execute(delete(meeting_sources).where(meeting_sources.c.id == row["id"]))
        await note(conn, row["meeting_id"], now, "source_gone", f"{row['source']} no longer has it")
        counts.touched.add(row["meeting_id"])
        counts.gone += 1
        counts.rows_written += 2
