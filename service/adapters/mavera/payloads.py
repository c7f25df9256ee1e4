"""Pure mapping between Mavera's JSON and domain values, tolerant of the undocumented parts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from service.core.model import RemoteBot, RemotePage
from service.core.timestamps import utc_iso


class PayloadError(ValueError):
    """A 2xx answer whose body does not carry what we need."""


def create_body(
    *,
    meeting_url: str,
    join_at: datetime,
    title: str,
    bot_name: str,
    workspace_id: str | None,
) -> dict[str, str]:
    body = {"meeting_url": meeting_url, "join_at": utc_iso(join_at), "title": title}
    body["bot_name"] = bot_name
    if workspace_id:
        body["workspace_id"] = workspace_id
    return body


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _meeting_url(value: Any) -> str | None:
    # GET documents a string, create documents an undescribed object: accept both.
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        for key in ("url", "href", "meeting_url", "join_url"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def remote_bot(data: Any) -> RemoteBot:
    if not isinstance(data, Mapping):
        raise PayloadError("meeting object is not a JSON object")
    mavera_id, status = data.get("id"), data.get("status")
    if not isinstance(mavera_id, str) or not mavera_id:
        raise PayloadError("meeting object has no id")
    if not isinstance(status, str) or not status:
        raise PayloadError(f"meeting {mavera_id} has no status")
    title = data.get("title")
    return RemoteBot(
        mavera_id=mavera_id,
        status=status,
        meeting_url=_meeting_url(data.get("meeting_url")),
        join_at=parse_time(data.get("join_at")),
        created_at=parse_time(data.get("created_at")),
        title=title if isinstance(title, str) else None,
    )


def page(data: Any, *, offset: int) -> tuple[RemotePage, int]:
    """One list page in either documented shape (cursor or offset), or a bare array.

    Returns the page and the offset of the next page (used only when there is no cursor).
    """
    if isinstance(data, list):
        items: Any = data
        has_more, cursor = False, None
    elif isinstance(data, Mapping) and isinstance(data.get("data"), list):
        items = data["data"]
        cursor = data.get("next_cursor") if isinstance(data.get("next_cursor"), str) else None
        has_more = bool(data.get("has_more", cursor is not None))
    else:
        raise PayloadError("list answer has no data array")
    bots = tuple(remote_bot(item) for item in items)
    if not bots:
        has_more = False
    return RemotePage(bots=bots, has_more=has_more, next_cursor=cursor), offset + len(bots)


def error_fields(data: Any) -> tuple[str | None, str | None]:
    """(code, message) from ``{"error": {...}}``, or Nones when the body is something else."""
    if isinstance(data, Mapping) and isinstance(data.get("error"), Mapping):
        err = data["error"]
        code = err.get("code") if isinstance(err.get("code"), str) else None
        message = err.get("message") if isinstance(err.get("message"), str) else None
        return code, message
    return None, None


MAX_RETRY_AFTER = 3600.0


def retry_after_seconds(value: str | None, *, now: datetime) -> float | None:
    """``Retry-After`` as seconds (the docs say seconds; HTTP-dates are accepted too).

    Anything that is not a finite wait is ignored, and waits are capped at an hour: one odd
    header must neither crash a request nor stop dispatching for days.
    """
    if not value:
        return None
    seconds: float | None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(value, now)
    if seconds is None or not math.isfinite(seconds):
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


def _seconds_until(http_date: str, now: datetime) -> float | None:
    try:
        when = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - now).total_seconds()
