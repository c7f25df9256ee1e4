"""Meeting import: validate a JSON list of meetings and turn it into MeetingInputs (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.errors import InputError, InvalidMeetingUrl
from service.meeting_links import normalize_meeting_url
from service.model import MeetingInput
from service.planning import PlannedMeeting, Timing, dispatch_times
from service.timestamps import utc_iso

JSON_SOURCE = "json"


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=1000)
    meeting_url: str = Field(min_length=1, max_length=4000)
    start: datetime
    end: datetime
    organizer: str | None = Field(default=None, max_length=320)
    attendees: list[str] = Field(default_factory=list, max_length=5000)
    uid: str | None = Field(default=None, min_length=1, max_length=400)

    @field_validator("start", "end")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("needs a time zone offset (e.g. 2026-11-24T09:00:00Z)")
        return value.astimezone(UTC)


def parse_rows(data: Any) -> list[MeetingInput]:
    """Validate every row; the first bad one raises InputError naming it, nothing is returned."""
    if not isinstance(data, list):
        raise InputError("file", "expected a JSON array of meetings")
    meetings: list[MeetingInput] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(data, start=1):
        meeting = _meeting(index, row)
        if meeting.source_key in seen:
            field = "uid" if isinstance(row, dict) and row.get("uid") else "meeting_url"
            message = f"same meeting as row {seen[meeting.source_key]}"
            raise InputError(f"row {index}: {field}", message)
        seen[meeting.source_key] = index
        meetings.append(meeting)
    return meetings


def _meeting(index: int, raw: Any) -> MeetingInput:
    where = f"row {index}"
    try:
        row = _Row.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "row"
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise InputError(f"{where}: {field}", message) from None
    if row.end <= row.start:
        raise InputError(f"{where}: end", "must be after start")
    try:
        link = normalize_meeting_url(row.meeting_url)
    except InvalidMeetingUrl as exc:
        raise InputError(f"{where}: meeting_url", str(exc)) from None
    return MeetingInput(
        source=JSON_SOURCE,
        source_key=row.uid or f"{link.url}@{utc_iso(row.start)}",
        title=row.title,
        meeting_url=link.url,
        platform=link.platform,
        start_at=row.start,
        end_at=row.end,
        organizer=row.organizer,
        attendees=tuple(row.attendees),
    )


def plan(meetings: Sequence[MeetingInput], timing: Timing) -> list[PlannedMeeting]:
    """First dispatch times, before the planner fits them to the budget."""
    return [
        PlannedMeeting(meeting=meeting, times=dispatch_times(meeting.start_at, timing))
        for meeting in meetings
    ]
