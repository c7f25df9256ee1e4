"""Domain values: meetings, bots and their statuses, sources, calendars; frozen dataclasses with
no IO (the dispatch state machine and the claim values live in ``core.dispatch``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from service.core.dispatch.states import DispatchState
from service.core.untrusted import EMAIL_LIMIT, SOURCE_KEY_LIMIT, TITLE_LIMIT, clean_key, clean_text


class Platform(StrEnum):
    ZOOM = "zoom"
    GOOGLE_MEET = "google_meet"
    MICROSOFT_TEAMS = "microsoft_teams"
    WEBEX = "webex"


class BotStatus(StrEnum):
    """The twelve statuses Mavera documents for a meeting bot."""

    PENDING = "pending"
    JOINING_CALL = "joining_call"
    IN_WAITING_ROOM = "in_waiting_room"
    IN_CALL_NOT_RECORDING = "in_call_not_recording"
    IN_CALL_RECORDING = "in_call_recording"
    CALL_ENDED = "call_ended"
    RECORDING_DONE = "recording_done"
    DONE = "done"
    FATAL = "fatal"
    RECORDING_PERMISSION_DENIED = "recording_permission_denied"
    MEDIA_EXPIRED = "media_expired"
    CANCELLED = "cancelled"


TERMINAL_STATUSES: frozenset[str] = frozenset(
    {
        BotStatus.DONE,
        BotStatus.FATAL,
        BotStatus.RECORDING_PERMISSION_DENIED,
        BotStatus.MEDIA_EXPIRED,
        BotStatus.CANCELLED,
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingInput:
    """A meeting as a source describes it, before the store gives it an id."""

    source: str
    source_key: str
    title: str
    meeting_url: str = field(repr=False)  # may carry a passcode
    platform: Platform
    start_at: datetime
    end_at: datetime
    organizer: str | None = None
    attendees: tuple[str, ...] = ()
    sequence: int = 0
    record: bool = True
    reason: str | None = None
    explanation: str | None = None

    def __post_init__(self) -> None:
        # The one gate every source passes on its way to the store: no text from a calendar
        # or an import file reaches it with terminal controls, bidi overrides or no bound.
        people = (clean_text(email, limit=EMAIL_LIMIT) for email in self.attendees)
        organizer = clean_text(self.organizer, limit=EMAIL_LIMIT) if self.organizer else None
        object.__setattr__(self, "title", clean_text(self.title, limit=TITLE_LIMIT))
        object.__setattr__(self, "source_key", clean_key(self.source_key, limit=SOURCE_KEY_LIMIT))
        object.__setattr__(self, "organizer", organizer or None)
        object.__setattr__(self, "attendees", tuple(email for email in people if email))


@dataclass(frozen=True, slots=True, kw_only=True)
class Meeting:
    id: int
    title: str
    meeting_url: str = field(repr=False)  # may carry a passcode
    platform: Platform
    start_at: datetime
    end_at: datetime
    join_at: datetime
    organizer: str | None
    attendees: tuple[str, ...]
    sequence: int
    wanted: bool
    decision_reason: str | None
    override: str | None
    dispatch_state: DispatchState
    dispatch_at: datetime
    deadline: datetime
    last_error: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Bot:
    """One booking of a Mavera bot for a meeting: the create intent first, then the bot.

    ``meeting_url`` and ``join_at`` are what was (or is about to be) sent to Mavera, which
    may differ from the meeting's current values after a change.
    """

    id: int
    meeting_id: int
    mavera_id: str | None
    meeting_url: str = field(repr=False)  # may carry a passcode
    join_at: datetime
    status: str | None
    active: bool
    attempts: int
    requested_at: datetime | None
    status_changed_at: datetime | None
    next_check_at: datetime | None
    track_until: datetime | None
    last_error_code: str | None = None
    last_error_message: str | None = None


# A bot's ``last_error_code`` after Mavera answered 404 for it (once: read again; twice: lost).
NOT_FOUND = "not_found"


def not_found_fields(
    message: str, *, next_check_at: datetime | None, now: datetime
) -> dict[str, Any]:
    """A bot Mavera answered 404 for, by field: marked ``not_found`` with ``message``, read
    again at ``next_check_at`` (None: never, it is lost)."""
    return {
        "next_check_at": next_check_at,
        "last_error_code": NOT_FOUND,
        "last_error_message": message,
        "updated_at": now,
    }


def found_fields(now: datetime) -> dict[str, Any]:
    """A ``not_found`` bot read after all: its mark goes."""
    return {"last_error_code": None, "last_error_message": None, "updated_at": now}


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoteBot:
    """A bot as Mavera reports it."""

    mavera_id: str
    status: str
    meeting_url: str | None = field(repr=False)  # may carry a passcode
    join_at: datetime | None
    created_at: datetime | None
    title: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RemotePage:
    """One page of Mavera's bot list."""

    bots: tuple[RemoteBot, ...]
    has_more: bool
    next_cursor: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingSource:
    """One place a meeting came from, with that source's own rule decision."""

    source: str
    source_key: str
    title: str
    start_at: datetime
    record: bool
    reason: str | None
    explanation: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingEvent:
    at: datetime
    kind: str
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MeetingView:
    """A meeting with its current bot; for explaining, also its sources and its story."""

    meeting: Meeting
    bot: Bot | None = None
    history: tuple[StatusChange, ...] = field(default_factory=tuple)
    sources: tuple[MeetingSource, ...] = field(default_factory=tuple)
    events: tuple[MeetingEvent, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True, kw_only=True)
class Observed:
    """What to store after reading a bot: its status (a change also goes to the history)
    and when to read it next (None: never again)."""

    bot_id: int
    status: str
    changed: bool
    next_check_at: datetime | None


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    bot_id: int
    status: str
    observed_at: datetime


class CalendarKind(StrEnum):
    ICS_URL = "ics_url"
    ICS_FILE = "ics_file"


@dataclass(frozen=True, slots=True, kw_only=True)
class Calendar:
    """A calendar autojoin reads meetings from; ``location`` (a feed URL) is a secret."""

    id: int
    name: str
    owner_email: str | None
    kind: CalendarKind
    location: str = field(repr=False)
    interval: timedelta
    etag: str | None
    last_modified: str | None
    clip_start: datetime | None
    clip_end: datetime | None
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    event_count: int
    meeting_count: int

    @property
    def source(self) -> str:
        return f"calendar:{self.id}"

    def due(self, now: datetime) -> bool:
        """Its next sync is due: never tried, or last tried an interval ago."""
        return self.last_attempt_at is None or self.last_attempt_at + self.interval <= now
