"""JSON shapes the simulator answers with: created meeting, meeting, cancel, inspection views."""

from __future__ import annotations

from datetime import datetime

from service.core.model import BotStatus
from service.simulator.bots import SimBot

JsonObject = dict[str, object]

RECORDING_BASE = "https://recordings.mavera.invalid"


def iso(when: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` (fractions of a second only when there are any)."""
    if when is None:
        return None
    return when.isoformat().replace("+00:00", "Z")


def create_payload(bot: SimBot) -> JsonObject:
    """The create answer: ``meeting_url`` is an object here, as documented."""
    return {
        "id": bot.id,
        "object": "meeting",
        "title": bot.title,
        "meeting_url": {"url": bot.meeting_url, "platform": bot.platform.value},
        "bot_name": bot.bot_name,
        "join_type": bot.join_type,
        "join_at": iso(bot.join_at),
        "status": bot.status_at(bot.created_at).value,
        "platform": bot.platform.value,
        "workspace_id": bot.workspace_id,
        "created_at": iso(bot.created_at),
        "updated_at": iso(bot.created_at),
    }


def _results(bot: SimBot, now: datetime) -> JsonObject:
    """Artefacts exist only while the bot is ``done`` (gone again once media expire)."""
    ready = bot.status_at(now) is BotStatus.DONE
    call_started = bot.reached_at(BotStatus.IN_CALL_RECORDING, now)
    call_ended = bot.reached_at(BotStatus.CALL_ENDED, now)
    duration = None
    if call_started is not None and call_ended is not None:
        duration = (call_ended - call_started).total_seconds()
    transcript: JsonObject = {
        "duration_seconds": duration,
        "total_words": 0,
        "participant_stats": {},
    }
    return {
        "recording_url": f"{RECORDING_BASE}/{bot.id}.mp4" if ready else None,
        "transcript": transcript if ready else None,
        "has_transcript": ready,
    }


def meeting_payload(bot: SimBot, now: datetime) -> JsonObject:
    """The ``GET /meetings/{id}`` shape (also used for list items): string URL, no platform."""
    return {
        "id": bot.id,
        "object": "meeting",
        "title": bot.title,
        "meeting_url": bot.meeting_url,
        "bot_name": bot.bot_name,
        "join_type": bot.join_type,
        "join_at": iso(bot.join_at),
        "completed_at": iso(bot.reached_at(BotStatus.DONE, now)),
        "status": bot.status_at(now).value,
        "workspace_id": bot.workspace_id,
        **_results(bot, now),
        "cancelled_at": iso(bot.cancelled_at),
        "cancelled_by": bot.cancelled_by,
        "cancel_reason": bot.cancel_reason,
        "participants": [],
        "participant_count": 0,
        "analysis": None,
        "tasks": [],
        "task_count": 0,
        "decisions": [],
        "decision_count": 0,
        "created_at": iso(bot.created_at),
        "updated_at": iso(bot.entry_at(now).at),
    }


def cancel_payload(bot: SimBot) -> JsonObject:
    return {
        "id": bot.id,
        "object": "meeting",
        "status": BotStatus.CANCELLED.value,
        "cancelled_at": iso(bot.cancelled_at),
        "cancelled_by": bot.cancelled_by,
        "cancel_reason": bot.cancel_reason,
    }


def inspection_payload(bot: SimBot, now: datetime) -> JsonObject:
    """Everything ``/_sim/bots`` shows about a bot; the owner is a key hash, never the key."""
    return {
        "id": bot.id,
        "api_key_hash": bot.owner,
        "meeting_url": bot.meeting_url,
        "platform": bot.platform.value,
        "title": bot.title,
        "workspace_id": bot.workspace_id,
        "requested_join_at": iso(bot.requested_join_at),
        "join_at": iso(bot.join_at),
        "join_type": bot.join_type,
        "created_at": iso(bot.created_at),
        "outcome": bot.outcome.value,
        "status": bot.status_at(now).value,
        "cancelled_at": iso(bot.cancelled_at),
        "timeline": [{"status": e.status.value, "at": iso(e.at)} for e in bot.timeline],
    }
