"""The memory store's rows, one frozen dataclass a table (the SQL tables' columns), and the
domain values they become; every datetime is aware and kept in UTC, as ``UtcDateTime`` keeps
it, and a naive one is refused."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from service.core.dispatch.states import DispatchState
from service.core.model import (
    Bot,
    Calendar,
    CalendarKind,
    Meeting,
    MeetingEvent,
    MeetingSource,
    Platform,
    StatusChange,
)


def utc(value: datetime) -> datetime:
    """``value`` in UTC; raises ValueError for a naive datetime (as the SQL column type does)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r} given to a UTC column")
    return value.astimezone(UTC)


def _datetime_fields(cls: type) -> tuple[str, ...]:
    names = _DATETIMES.get(cls)
    if names is None:
        names = _DATETIMES[cls] = tuple(f.name for f in fields(cls) if "datetime" in str(f.type))
    return names


class Row:
    """A row: its datetimes are checked and turned to UTC when it is made."""

    __slots__ = ()

    def __post_init__(self) -> None:
        for name in _datetime_fields(type(self)):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, utc(value))


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingRow(Row):
    id: int
    title: str
    meeting_url: str
    platform: Platform
    start_at: datetime
    end_at: datetime
    join_at: datetime
    organizer: str | None
    attendees: tuple[str, ...]
    sequence: int = 0
    wanted: bool = True
    decision_reason: str | None = None
    override: str | None = None
    dispatch_state: DispatchState
    dispatch_at: datetime
    deadline: datetime
    claim_token: str | None = None
    claimed_by: str | None = None
    lease_until: datetime | None = None
    last_error: str | None = None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRow(Row):
    id: int
    meeting_id: int
    source: str
    source_key: str
    sequence: int
    start_at: datetime
    title: str
    record: bool
    reason: str | None
    explanation: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CalendarRow(Row):
    id: int
    name: str
    owner_email: str | None
    kind: CalendarKind
    location: str
    interval_seconds: int
    etag: str | None = None
    last_modified: str | None = None
    clip_start: datetime | None = None
    clip_end: datetime | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None
    event_count: int = 0
    meeting_count: int = 0
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRow(Row):
    id: int
    meeting_id: int
    at: datetime
    kind: str
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BotRow(Row):
    id: int
    meeting_id: int
    mavera_id: str | None = None
    meeting_url: str
    join_at: datetime
    status: str | None = None
    active: bool
    attempts: int
    requested_at: datetime | None = None
    status_changed_at: datetime | None = None
    next_check_at: datetime | None = None
    track_until: datetime | None = None
    last_error_code: str | None = None
    last_error_message: str | None = None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeRow(Row):
    id: int
    bot_id: int
    status: str
    observed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiKeyRow(Row):
    key_id: str
    requests_per_minute: int
    blocked_until: datetime | None = None
    paused_until: datetime | None = None
    pause_reason: str | None = None
    updated_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class SendRow(Row):
    id: int
    key_id: str
    sent_at: datetime
    is_read: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class LeaseRow(Row):
    name: str
    holder: str
    until: datetime


def meeting_of(row: MeetingRow) -> Meeting:
    return Meeting(**_values(row, Meeting))


def bot_of(row: BotRow) -> Bot:
    return Bot(**_values(row, Bot))


def change_of(row: ChangeRow) -> StatusChange:
    return StatusChange(**_values(row, StatusChange))


def source_of(row: SourceRow) -> MeetingSource:
    return MeetingSource(**_values(row, MeetingSource))


def event_of(row: EventRow) -> MeetingEvent:
    return MeetingEvent(**_values(row, MeetingEvent))


def calendar_of(row: CalendarRow) -> Calendar:
    values = _values(row, Calendar, skip=frozenset({"interval"}))
    return Calendar(**values, interval=timedelta(seconds=row.interval_seconds))


def values(row: Row) -> dict[str, Any]:
    """The row's columns by name."""
    return {name: getattr(row, name) for name in _names(type(row))}


def _values(row: Row, cls: type, *, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _names(cls) if name not in skip}


def _names(cls: type) -> tuple[str, ...]:
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


_NAMES: dict[type, tuple[str, ...]] = {}
_DATETIMES: dict[type, tuple[str, ...]] = {}
