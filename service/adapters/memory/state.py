"""MemoryState: every table of the memory store, its id sequences and its transactions; the
one object the memory stores of a "database" share (as the SQL stores share an engine).

A transaction is a block of plain (never awaiting) code between ``begin`` and ``commit``, so
on the event loop no other transaction can run inside it: claims are exclusive within the
process. If the block raises, every write it made is undone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from itertools import count
from typing import Any, Final

from service.adapters.memory.rows import (
    ApiKeyRow,
    BotRow,
    CalendarRow,
    ChangeRow,
    EventRow,
    LeaseRow,
    MeetingRow,
    SendRow,
    SourceRow,
)
from service.adapters.memory.tables import Conflict, Table


def _active_booking(row: BotRow) -> int | None:
    """At most one active booking per meeting (the partial unique index)."""
    return row.meeting_id if row.active else None


def _id(row: Any) -> int:
    return int(row.id)


def _meeting(row: Any) -> int:
    return int(row.meeting_id)


def _call(row: MeetingRow) -> tuple[str, datetime]:
    return row.meeting_url, row.start_at


def _key(row: SourceRow) -> str:
    return row.source_key


_BY_MEETING: Final = {"meeting_id": _meeting}


class MemoryState:
    """The tables, named as in SQL; ``transaction()`` is the only way to write them."""

    def __init__(self) -> None:
        self.meetings: Table[int, MeetingRow] = Table("meetings", _id, groups={"call": _call})
        self.sources: Table[int, SourceRow] = Table(
            "meeting_sources",
            _id,
            unique={"source_key": lambda r: (r.source, r.source_key)},
            groups={"meeting_id": _meeting, "source": lambda r: r.source, "key": _key},
        )
        self.calendars: Table[int, CalendarRow] = Table(
            "calendars", _id, unique={"name": lambda r: r.name}
        )
        self.events: Table[int, EventRow] = Table("meeting_events", _id, groups=_BY_MEETING)
        self.bots: Table[int, BotRow] = Table(
            "bots",
            _id,
            unique={"mavera_id": lambda r: r.mavera_id, "active_meeting": _active_booking},
            groups=_BY_MEETING,
        )
        self.changes: Table[int, ChangeRow] = Table(
            "bot_status_changes", _id, groups={"bot_id": lambda r: r.bot_id}
        )
        self.api_keys: Table[str, ApiKeyRow] = Table("api_keys", lambda r: r.key_id)
        self.sends: Table[int, SendRow] = Table(
            "api_sends", _id, groups={"key_id": lambda r: r.key_id}
        )
        self.leases: Table[str, LeaseRow] = Table("leases", lambda r: r.name)
        self._ids: dict[str, Iterator[int]] = {}
        self._open = False

    def tables(self) -> tuple[Table[Any, Any], ...]:
        return (
            self.meetings,
            self.sources,
            self.calendars,
            self.events,
            self.bots,
            self.changes,
            self.api_keys,
            self.sends,
            self.leases,
        )

    def next_id(self, table: Table[int, Any]) -> int:
        """The table's next id (like a sequence, never given twice, even after a rollback)."""
        return next(self._ids.setdefault(table.name, count(1)))

    @contextmanager
    def transaction(self) -> Iterator[MemoryState]:
        """All the block's writes, or none of them if it raises."""
        if self._open:
            raise RuntimeError("a memory transaction is already open (one never awaits)")
        self._open = True
        for table in self.tables():
            table.begin()
        try:
            yield self
        except BaseException:
            for table in self.tables():
                table.rollback()
            raise
        else:
            for table in self.tables():
                table.commit()
        finally:
            self._open = False

    def note(self, meeting_id: int, now: datetime, kind: str, detail: str) -> None:
        """One line of the meeting's story, for ``meetings explain``."""
        self.references(self.meetings, meeting_id)
        self.events.insert(
            EventRow(
                id=self.next_id(self.events),
                meeting_id=meeting_id,
                at=now,
                kind=kind,
                detail=detail,
            )
        )

    def add_change(self, bot_id: int, status: str, observed_at: datetime) -> None:
        """A status of a bot, for its history."""
        self.references(self.bots, bot_id)
        self.changes.insert(
            ChangeRow(
                id=self.next_id(self.changes), bot_id=bot_id, status=status, observed_at=observed_at
            )
        )

    @staticmethod
    def references(table: Table[int, Any], key: int) -> None:
        """:raises Conflict: ``table`` has no row ``key`` (a foreign key to nothing)."""
        if table.get(key) is None:
            raise Conflict(f"{table.name}: no row {key}")
