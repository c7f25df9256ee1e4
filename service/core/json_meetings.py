"""Meeting import: validate a JSON list of meetings and turn it into MeetingInputs (pure).

Every field is type-strict (pydantic's strict mode: no number read as a time or a text,
no text read as a number) and bounded; times are ISO 8601 strings with an offset.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from service.core.errors import InputError, InvalidMeetingUrl
from service.core.meeting_links import normalize_meeting_url
from service.core.model import MeetingInput
from service.core.timestamps import EXAMPLE, parse_instant, utc_iso
from service.core.untrusted import EMAIL_LIMIT, KEY_LIMIT, TITLE_LIMIT, clean_text

JSON_SOURCE = "json"
URL_LIMIT: Final = 4000
ATTENDEE_LIMIT: Final = 5000
_LABEL_LIMIT: Final = 40
_JSON_TYPES: Final = {
    bool: "a boolean",
    int: "a number",
    float: "a number",
    str: "a string",
    list: "an array",
    dict: "an object",
    type(None): "null",
}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _instant(value: Any) -> datetime:
    """An ISO 8601 date-time string with an offset, as aware UTC; anything else is refused."""
    if not isinstance(value, str):
        raise PydanticCustomError(
            "instant_type",
            "must be an ISO 8601 date-time string with an offset, {example} (got {got})",
            {"example": EXAMPLE, "got": _json_type(value)},
        )
    try:
        return parse_instant(value)
    except ValueError as exc:
        raise PydanticCustomError("instant", "{why}", {"why": str(exc)}) from None


def _visible(value: str) -> str:
    cleaned = clean_text(value, limit=TITLE_LIMIT)
    if not cleaned:
        raise PydanticCustomError("no_visible_text", "has no visible characters")
    return cleaned


Instant = Annotated[datetime, BeforeValidator(_instant)]
Email = Annotated[str, Field(min_length=1, max_length=EMAIL_LIMIT)]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True)

    title: Annotated[str, Field(min_length=1, max_length=TITLE_LIMIT), AfterValidator(_visible)]
    meeting_url: str = Field(min_length=1, max_length=URL_LIMIT)
    start: Instant
    end: Instant
    organizer: Email | None = None
    attendees: list[Email] = Field(default_factory=list, max_length=ATTENDEE_LIMIT)
    uid: str | None = Field(default=None, min_length=1, max_length=KEY_LIMIT)


def parse_rows(data: Any) -> list[MeetingInput]:
    """Validate every row; the first bad one raises InputError naming it, nothing is returned."""
    if not isinstance(data, list):
        raise InputError("file", f"expected a JSON array of meetings, got {_json_type(data)}")
    meetings: list[MeetingInput] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(data, start=1):
        meeting = _meeting(index, row)
        if meeting.source_key in seen:
            field = "uid" if isinstance(row, dict) and row.get("uid") else "meeting_url"
            message = f"same meeting as row {seen[meeting.source_key]}"
            raise InputError(f"{_where(index, row)}: {field}", message)
        seen[meeting.source_key] = index
        meetings.append(meeting)
    return meetings


def _where(index: int, raw: Any) -> str:
    """``row 3``, with the row's uid (else title) when it has a usable one."""
    where = f"row {index}"
    if not isinstance(raw, dict):
        return where
    for name in ("uid", "title"):
        value = raw.get(name)
        if isinstance(value, str) and value.strip():
            label = value.strip()
            if len(label) > _LABEL_LIMIT:
                label = label[: _LABEL_LIMIT - 1] + "…"
            return f"{where} ({name} {label!r})"  # repr shows control characters escaped
    return where


def _validated(index: int, raw: Any) -> _Row:
    where = _where(index, raw)
    if not isinstance(raw, dict):
        raise InputError(where, f"expected a JSON object, got {_json_type(raw)}")
    try:
        return _Row.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "row"
        message = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise InputError(f"{where}: {field}", message) from None


def _meeting(index: int, raw: Any) -> MeetingInput:
    row = _validated(index, raw)
    if row.end <= row.start:
        raise InputError(f"{_where(index, raw)}: end", "must be after start")
    try:
        link = normalize_meeting_url(row.meeting_url)
    except InvalidMeetingUrl as exc:
        raise InputError(f"{_where(index, raw)}: meeting_url", str(exc)) from None
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
