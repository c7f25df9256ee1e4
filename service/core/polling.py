"""Pure rules for when to read a bot's status next, so reads go where changes happen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from service.core.bot_states import is_terminal, parse_status
from service.core.model import BotStatus

_ACTIVE = frozenset(
    {
        BotStatus.JOINING_CALL,
        BotStatus.IN_WAITING_ROOM,
        BotStatus.IN_CALL_NOT_RECORDING,
        BotStatus.IN_CALL_RECORDING,
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PollingPolicy:
    in_call: timedelta
    near_join: timedelta
    far: timedelta
    processing: timedelta


def next_check_at(
    status: str | None,
    *,
    join_at: datetime,
    track_until: datetime,
    now: datetime,
    policy: PollingPolicy,
) -> datetime | None:
    """When to read this bot again; None when it is terminal or no longer worth tracking."""
    if is_terminal(status) or now >= track_until:
        return None
    return min(now + _interval(status, join_at=join_at, now=now, policy=policy), track_until)


def _interval(
    status: str | None, *, join_at: datetime, now: datetime, policy: PollingPolicy
) -> timedelta:
    known = parse_status(status) if status is not None else BotStatus.PENDING
    if known in _ACTIVE:
        return policy.in_call
    if known in (BotStatus.CALL_ENDED, BotStatus.RECORDING_DONE):
        return policy.processing
    if known is None:
        # Undocumented value: keep watching, slowly, until the tracking deadline.
        return policy.far
    until_join = join_at - now
    if until_join <= policy.near_join:
        return policy.in_call
    # Far ahead: wake up in time to watch the join closely.
    return min(policy.far, until_join - policy.near_join)
