"""MemorySourceStore: one source's meetings in; one meeting per real call, whatever the source
(the ``SourceStore`` port on a ``MemoryState``; see ``SqlSourceStore`` for the matching)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from service.adapters.memory.meeting_writes import insert_meetings, update_meeting
from service.adapters.memory.rows import SourceRow
from service.adapters.memory.state import MemoryState
from service.adapters.memory.wishes import settle_wishes
from service.core.sourcing import ApplyCounts, SourceMeetings, source_fields
from service.core.timing import PlannedMeeting

# Applied in chunks of this many, as the SQL store does: what a chunk finds depends on what
# the chunks before it wrote.
CHUNK = 400


class MemorySourceStore:
    """The ``SourceStore`` port on a ``MemoryState``; ``freeze`` as the SQL store's."""

    def __init__(self, state: MemoryState, *, freeze: timedelta) -> None:
        self._state = state
        self._freeze = freeze

    async def apply(self, incoming: SourceMeetings, *, now: datetime) -> ApplyCounts:
        with self._state.transaction() as state:
            return apply_source(state, incoming, now=now, freeze=self._freeze)


def apply_source(
    state: MemoryState, incoming: SourceMeetings, *, now: datetime, freeze: timedelta
) -> ApplyCounts:
    """``MemorySourceStore.apply`` inside the caller's transaction."""
    source, planned = incoming.source, incoming.planned
    counts = ApplyCounts()
    own = _own_sources(state, source, planned, whole=incoming.window is not None)
    for start in range(0, len(planned), CHUNK):
        _apply_chunk(state, source, planned[start : start + CHUNK], own, counts, now)
    _drop_gone(state, own, incoming, counts, now)
    counts.rows_written += settle_wishes(
        state, counts.to_settle(), changed=counts.changed, now=now, freeze=freeze
    )
    return counts


def _own_sources(
    state: MemoryState, source: str, planned: Sequence[PlannedMeeting], *, whole: bool
) -> dict[str, SourceRow]:
    """This source's rows: all of them for a complete fetch, else those it mentions."""
    rows = state.sources.group("source", source)
    if not whole:
        keys = {item.meeting.source_key for item in planned}
        rows = [row for row in rows if row.source_key in keys]
    return {row.source_key: row for row in rows}


def _apply_chunk(
    state: MemoryState,
    source: str,
    chunk: Sequence[PlannedMeeting],
    own: dict[str, SourceRow],
    counts: ApplyCounts,
    now: datetime,
) -> None:
    homes = _find_homes(state, chunk, own)
    known = set(homes.values())
    homeless = [i for i in chunk if i.meeting.source_key not in homes and i.may_create]
    homes.update(insert_meetings(state, homeless, counts, now))
    fresh: list[SourceRow] = []
    for item in chunk:
        meeting_id = homes.get(item.meeting.source_key)
        if meeting_id is None:
            continue  # a cancelled or finished occurrence of a meeting we never had
        if meeting_id in known:
            update_meeting(state, meeting_id, item, counts, now)
        existing = own.get(item.meeting.source_key)
        if existing is None:
            fresh.append(_source_row(state, source, item, meeting_id, now))
            counts.touched.add(meeting_id)
            counts.sourced[meeting_id] += 1
        else:
            _update_source(state, item, existing, meeting_id, counts, now)
    for row in fresh:
        state.references(state.meetings, row.meeting_id)
        state.sources.insert(row)
    counts.rows_written += len(fresh)


def _find_homes(
    state: MemoryState, chunk: Sequence[PlannedMeeting], own: dict[str, SourceRow]
) -> dict[str, int]:
    """Each item's meeting: this source's own row for its key; else the oldest row of another
    source with the same key; else the meeting of the same call (link and start)."""
    homes = {
        item.meeting.source_key: own[item.meeting.source_key].meeting_id
        for item in chunk
        if item.meeting.source_key in own
    }
    for item in chunk:
        key = item.meeting.source_key
        if key in homes:
            continue
        same_key = state.sources.group("key", key)
        if same_key:
            homes[key] = same_key[0].meeting_id
            continue
        same_call = state.meetings.group("call", (item.meeting.meeting_url, item.meeting.start_at))
        if same_call:
            homes[key] = same_call[-1].id
    return homes


def _source_row(
    state: MemoryState, source: str, item: PlannedMeeting, meeting_id: int, now: datetime
) -> SourceRow:
    return SourceRow(
        id=state.next_id(state.sources),
        source=source,
        source_key=item.meeting.source_key,
        updated_at=now,
        **source_fields(item, meeting_id),
    )


def _update_source(
    state: MemoryState,
    item: PlannedMeeting,
    existing: SourceRow,
    meeting_id: int,
    counts: ApplyCounts,
    now: datetime,
) -> None:
    values = source_fields(item, meeting_id)
    changed = {name: value for name, value in values.items() if getattr(existing, name) != value}
    if not changed:
        return
    counts.touched.update({meeting_id, existing.meeting_id})
    current = state.sources.get(existing.id)
    assert current is not None
    state.sources.put(replace(current, **changed, updated_at=now))
    counts.rows_written += 1


def _drop_gone(
    state: MemoryState,
    own: dict[str, SourceRow],
    incoming: SourceMeetings,
    counts: ApplyCounts,
    now: datetime,
) -> None:
    """This source's rows the read no longer carries, inside its window, are gone."""
    missing = incoming.missing({key: row.start_at for key, row in own.items()})
    for row in sorted((own[key] for key in missing), key=lambda row: row.id):
        state.sources.delete(row.id)
        state.note(row.meeting_id, now, "source_gone", f"{row.source} no longer has it")
        counts.touched.add(row.meeting_id)
        counts.gone += 1
        counts.rows_written += 2
