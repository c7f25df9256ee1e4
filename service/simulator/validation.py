"""Request validation for the simulated API: bodies, meeting links, times and list parameters."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from urllib.parse import urlsplit

from service.core.model import Platform
from service.simulator.errors import ApiError, invalid_field, missing_field

MAX_REASON_LENGTH: Final = 500
DEFAULT_BOT_NAME: Final = "Mavera Notetaker"

# Host (exact, or any subdomain of it) -> platform.
PLATFORM_HOSTS: Final[Mapping[str, Platform]] = {
    "zoom.us": Platform.ZOOM,
    "zoomgov.com": Platform.ZOOM,
    "meet.google.com": Platform.GOOGLE_MEET,
    "teams.microsoft.com": Platform.MICROSOFT_TEAMS,
    "teams.live.com": Platform.MICROSOFT_TEAMS,
    "webex.com": Platform.WEBEX,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateRequest:
    """A validated ``POST /meetings`` body."""

    meeting_url: str
    platform: Platform
    title: str | None
    bot_name: str
    join_at: datetime | None
    workspace_id: str | None


def parse_json_object(text: str, *, empty_ok: bool = False) -> dict[str, object]:
    """The body as a JSON object; an empty body is ``{}`` only when ``empty_ok``."""
    if empty_ok and not text.strip():
        return {}
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "the request body must be a JSON object")
    return body


def detect_platform(url: str) -> Platform:
    """The platform of a join link; refuses non-http(s) links and unsupported hosts."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError as exc:
        raise invalid_field("meeting_url", "meeting_url is not a valid URL") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise invalid_field("meeting_url", "meeting_url must be an http(s) URL")
    if parts.path in ("", "/"):
        raise invalid_field("meeting_url", "meeting_url does not name a meeting")
    for suffix, platform in PLATFORM_HOSTS.items():
        if host == suffix or host.endswith(f".{suffix}"):
            return platform
    raise invalid_field(
        "meeting_url", "meeting_url must be a Zoom, Google Meet, Microsoft Teams or Webex link"
    )


def parse_join_at(value: object) -> datetime | None:
    """An ISO 8601 date-time with a time part; a value without offset is taken as UTC."""
    if value is None:
        return None
    if not isinstance(value, str) or "T" not in value.upper():
        raise invalid_field("join_at", "join_at must be an ISO 8601 date-time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise invalid_field("join_at", "join_at must be an ISO 8601 date-time") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _optional_text(body: Mapping[str, object], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise invalid_field(name, f"{name} must be a string")
    return value


def parse_create(body: Mapping[str, object]) -> CreateRequest:
    """Check a create body; unknown fields are ignored."""
    url = body.get("meeting_url")
    if url is None:
        raise missing_field("meeting_url")
    if not isinstance(url, str):
        raise invalid_field("meeting_url", "meeting_url must be a string")
    platform = detect_platform(url)
    workspace_id = _optional_text(body, "workspace_id")
    if workspace_id == "":
        raise invalid_field("workspace_id", "workspace_id must not be empty")
    return CreateRequest(
        meeting_url=url,
        platform=platform,
        title=_optional_text(body, "title"),
        bot_name=_optional_text(body, "bot_name") or DEFAULT_BOT_NAME,
        join_at=parse_join_at(body.get("join_at")),
        workspace_id=workspace_id,
    )


def parse_cancel_reason(body: Mapping[str, object]) -> str | None:
    reason = _optional_text(body, "reason")
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise invalid_field("reason", f"reason must be at most {MAX_REASON_LENGTH} characters")
    return reason


def parse_count(raw: str | None, *, param: str, default: int, low: int, high: int) -> int:
    """A whole-number query parameter within ``low..high``."""
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise invalid_field(param, f"{param} must be a whole number") from exc
    if not low <= value <= high:
        raise invalid_field(param, f"{param} must be between {low} and {high}")
    return value
