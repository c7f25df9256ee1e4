"""List pages in both documented shapes: cursor (current) and offset (older)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime

from service.simulator.bots import SimBot
from service.simulator.errors import invalid_field
from service.simulator.payloads import JsonObject, meeting_payload

SortKey = tuple[datetime, str]


def sort_key(bot: SimBot) -> SortKey:
    """Newest first: the list is sorted by this key, descending."""
    return (bot.created_at, bot.id)


def encode_cursor(bot: SimBot) -> str:
    raw = f"{bot.created_at.isoformat()}|{bot.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> SortKey:
    """The sort key of the last item of the previous page; refuses anything we did not issue."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode()).decode()
        created, bot_id = text.split("|", 1)
        created_at = datetime.fromisoformat(created)
    except (ValueError, binascii.Error) as exc:
        raise invalid_field("cursor", "cursor is not one this API issued") from exc
    if created_at.tzinfo is None or not bot_id.startswith("meeting_"):
        raise invalid_field("cursor", "cursor is not one this API issued")
    return (created_at, bot_id)


def cursor_page(
    bots: Sequence[SimBot], *, limit: int, cursor: str | None, now: datetime
) -> JsonObject:
    """One page after ``cursor`` (keyset: stable while new bots are created)."""
    rest = list(bots)
    if cursor is not None:
        after = decode_cursor(cursor)
        rest = [bot for bot in bots if sort_key(bot) < after]
    page = rest[:limit]
    has_more = len(rest) > limit
    return {
        "object": "list",
        "data": [meeting_payload(bot, now) for bot in page],
        "has_more": has_more,
        "next_cursor": encode_cursor(page[-1]) if has_more else None,
    }


def offset_page(bots: Sequence[SimBot], *, limit: int, offset: int, now: datetime) -> JsonObject:
    page = bots[offset : offset + limit]
    return {
        "object": "list",
        "data": [meeting_payload(bot, now) for bot in page],
        "total": len(bots),
        "limit": limit,
        "offset": offset,
        "has_more": offset + len(page) < len(bots),
    }
