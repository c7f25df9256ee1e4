"""What a store writes for a dispatch, field by field, and what writing down a created bot
comes to (pure): said once here, applied by the memory store (a replaced row) and the SQL
store (an UPDATE or INSERT) alike. The dispatch state is not among the fields: each store
writes the one the table gives (``states.transition``) its own way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from service.core.dispatch.claims import Claim, Created, Duplicate, Intent, Recorded
from service.core.dispatch.notes import Note

Fields = dict[str, Any]
"""A row's new values by column name (``Any``: each store passes them to its own writes)."""

DUPLICATE: Final = "duplicate"
"""A recorded duplicate's error code, and the kind of the note that tells of it."""
DISOWNED_ERROR: Final = "the bot found for this meeting was a duplicate: reconciling again"
EXPIRED_ERROR: Final = "claim lease expired: the worker stopped"


def claimed_fields(token: str, worker_id: str, *, lease_until: datetime, now: datetime) -> Fields:
    """A meeting a worker has claimed: its claim token, the worker, and the lease."""
    return {
        "claim_token": token,
        "claimed_by": worker_id,
        "lease_until": lease_until,
        "updated_at": now,
    }


def released_fields(
    *, now: datetime, error: str | None = None, dispatch_at: datetime | None = None
) -> Fields:
    """A meeting whose claim ended (settled, or its lease ran out): no claim token, worker or
    lease; ``error`` as its last error; due at ``dispatch_at`` if given, else when it was."""
    fields: Fields = {
        "claim_token": None,
        "claimed_by": None,
        "lease_until": None,
        "last_error": error,
        "updated_at": now,
    }
    if dispatch_at is not None:
        fields["dispatch_at"] = dispatch_at
    return fields


def new_booking_fields(claim: Claim, now: datetime) -> Fields:
    """The booking of a claim's first create: active, one attempt, no bot yet."""
    return {
        "meeting_id": claim.meeting_id,
        "meeting_url": claim.meeting_url,
        "join_at": claim.join_at,
        "active": True,
        "attempts": 1,
        "requested_at": now,
        "created_at": now,
        "updated_at": now,
    }


def filled_fields(intent: Intent, created: Created, now: datetime) -> Fields:
    """A booking filled by the bot its intent's create made: the bot, what it was sent with
    (the booking may have been re-intended since), its first check, and no error."""
    return {
        "mavera_id": created.bot.mavera_id,
        "meeting_url": intent.meeting_url,
        "join_at": intent.join_at,
        "status": created.bot.status,
        "status_changed_at": now,
        "next_check_at": created.next_check_at,
        "track_until": created.track_until,
        "last_error_code": None,
        "last_error_message": None,
        "updated_at": now,
    }


def duplicate_fields(duplicate: Duplicate, now: datetime) -> Fields:
    """The inactive booking row that records a duplicate, so that nobody adopts it."""
    bot = duplicate.bot
    return {
        "meeting_id": duplicate.meeting_id,
        "mavera_id": bot.mavera_id,
        "meeting_url": bot.meeting_url or duplicate.meeting_url,
        "join_at": bot.join_at or duplicate.join_at,
        "status": bot.status,
        "active": False,
        "attempts": 0,
        "last_error_code": DUPLICATE,
        "last_error_message": "a second bot for this meeting: cancelled",
        "created_at": now,
        "updated_at": now,
    }


def duplicate_note(duplicate: Duplicate) -> Note:
    return DUPLICATE, f"bot {duplicate.bot.mavera_id} is a second bot: cancelled"


def error_fields(code: str, message: str, *, now: datetime, close: bool = False) -> Fields:
    """A booking's last error (and, with ``close``, the booking closed: no longer active)."""
    fields: Fields = {"last_error_code": code, "last_error_message": message, "updated_at": now}
    if close:
        fields["active"] = False
    return fields


def closed_fields(status: str, now: datetime) -> Fields:
    """A booking whose bot is gone at Mavera (cancelled): inactive, never checked again."""
    return {"active": False, "status": status, "next_check_at": None, "updated_at": now}


class Ending(StrEnum):
    """How writing down a created bot ends the meeting's dispatch."""

    NONE = "none"
    """Nothing to end here: the claim is gone, and whoever holds the meeting finds the bot."""
    BOOKED = "booked"
    """On the bot the booking holds (created if it fits the meeting, else moved): for the
    claim, or, when the claim is gone, for a meeting left waiting or ambiguous."""
    DISOWNED = "disowned"
    """The bot found was recorded as a duplicate by another worker: reconcile again."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Recording:
    """What writing down a created bot came to: the worker's outcome and the ending."""

    recorded: Recorded
    ending: Ending


def recording(bot_id: int, holder: int | None, *, filled: bool, claimed: bool) -> Recording:
    """What writing down a created bot for the booking ``bot_id`` comes to, from what the
    store found: ``holder``, the row that had the bot's Mavera id already (None: none did);
    ``filled``, the booking took the bot now (it held none yet; else the bot was recorded as
    a duplicate); ``claimed``, the claim still holds the meeting.

    A claimed meeting always ends here; one whose claim is gone only when its booking was
    filled now (a late answer): any other is its current holder's to settle.
    """
    if holder is None:
        recorded = Recorded.STORED if filled else Recorded.DUPLICATE
    else:
        recorded = Recorded.STORED if holder == bot_id else Recorded.DISOWNED
    if not claimed:
        return Recording(recorded=recorded, ending=Ending.BOOKED if filled else Ending.NONE)
    ending = Ending.DISOWNED if recorded is Recorded.DISOWNED else Ending.BOOKED
    return Recording(recorded=recorded, ending=ending)
