"""What a source's meeting changes on the meeting a store holds: the fields a source sets, which
of them differ (only a copy at least as new, by SEQUENCE, changes anything), and the line the
meeting's story gets for it. One rule, whichever store applies it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from service.core.redaction import redact_meeting_url
from service.core.timing import PlannedMeeting

SOURCED: Final = (
    "title",
    "meeting_url",
    "platform",
    "start_at",
    "end_at",
    "organizer",
    "attendees",
    "join_at",
    "deadline",
    "sequence",
)
"""The meeting's fields a source sets (named as the store names them)."""

MOVES: Final = frozenset({"join_at", "meeting_url"})
"""A change to one of these is a change to what the meeting asks a bot for."""

_SHOWN: Final = ("start_at", "end_at", "meeting_url", "title")


def sourced_values(item: PlannedMeeting) -> dict[str, Any]:
    """The fields a source sets, by name, as ``item`` has them."""
    meeting, times = item.meeting, item.times
    return {
        "title": meeting.title,
        "meeting_url": meeting.meeting_url,
        "platform": meeting.platform,
        "start_at": meeting.start_at,
        "end_at": meeting.end_at,
        "organizer": meeting.organizer,
        "attendees": tuple(meeting.attendees),
        "join_at": times.join_at,
        "deadline": times.deadline,
        "sequence": meeting.sequence,
    }


def source_changes(current: Mapping[str, Any], item: PlannedMeeting) -> dict[str, Any]:
    """The fields ``item`` changes on a meeting whose fields are ``current``; none if ``item``
    is an older copy (a lower SEQUENCE) than the one the meeting holds."""
    if item.meeting.sequence < current["sequence"]:
        return {}
    values = sourced_values(item)
    return {name: values[name] for name in SOURCED if not _same(current[name], values[name])}


def moved(changes: Mapping[str, Any]) -> bool:
    """The changes touch what a bot is sent (its join time or its link)."""
    return not MOVES.isdisjoint(changes)


def describe_update(current: Mapping[str, Any], changes: Mapping[str, Any]) -> str:
    """The story's line for an update: what changed from what (a link keeps its passcode
    hidden: the story is shown to operators)."""
    shown = [name for name in _SHOWN if name in changes]
    parts = [f"{n}: {_shown(n, current[n])} -> {_shown(n, changes[n])}" for n in shown]
    return "; ".join(parts) or "details changed"


def _same(before: Any, after: Any) -> bool:
    # A store may give a list back for the tuple it was given (JSON).
    if isinstance(before, list | tuple) and isinstance(after, list | tuple):
        return tuple(before) == tuple(after)
    return bool(before == after)


def _shown(name: str, value: Any) -> Any:
    return redact_meeting_url(value) if name == "meeting_url" else value
