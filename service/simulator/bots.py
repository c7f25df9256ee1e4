"""Simulated bots: the status script each bot follows and the status it shows at any instant."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from random import Random
from typing import Final

from service.core.model import TERMINAL_STATUSES, BotStatus, Platform
from service.simulator.settings import Durations, OutcomeMix


class Outcome(StrEnum):
    """The path a bot's script takes, drawn once when the bot is created."""

    NORMAL = "normal"
    WAITING_ROOM_ADMITTED = "waiting_room_admitted"
    WAITING_ROOM_REJECTED = "waiting_room_rejected"
    FATAL = "fatal"
    PERMISSION_DENIED = "permission_denied"


_RECORDING_TAIL: Final = (
    BotStatus.IN_CALL_NOT_RECORDING,
    BotStatus.IN_CALL_RECORDING,
    BotStatus.CALL_ENDED,
    BotStatus.RECORDING_DONE,
    BotStatus.DONE,
    BotStatus.MEDIA_EXPIRED,
)

# The statuses each path goes through after `pending`, in order.
PATHS: Final[Mapping[Outcome, tuple[BotStatus, ...]]] = {
    Outcome.NORMAL: (BotStatus.JOINING_CALL, *_RECORDING_TAIL),
    Outcome.WAITING_ROOM_ADMITTED: (
        BotStatus.JOINING_CALL,
        BotStatus.IN_WAITING_ROOM,
        *_RECORDING_TAIL,
    ),
    Outcome.WAITING_ROOM_REJECTED: (
        BotStatus.JOINING_CALL,
        BotStatus.IN_WAITING_ROOM,
        BotStatus.FATAL,
    ),
    Outcome.FATAL: (BotStatus.JOINING_CALL, BotStatus.FATAL),
    Outcome.PERMISSION_DENIED: (
        BotStatus.JOINING_CALL,
        BotStatus.IN_CALL_NOT_RECORDING,
        BotStatus.RECORDING_PERMISSION_DENIED,
    ),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class TimelineEntry:
    """The instant a bot's status became ``status``."""

    status: BotStatus
    at: datetime


def choose_outcome(mix: OutcomeMix, rng: Random) -> Outcome:
    """Draw one outcome; exactly one draw per bot, so a seed replays the same mix.

    The draw's low band is the normal path and the failure bands sit above it, so small
    changes to the failure fractions leave most bots' outcomes unchanged.
    """
    weights = (
        (Outcome.FATAL, mix.fatal),
        (Outcome.PERMISSION_DENIED, mix.permission_denied),
        (Outcome.WAITING_ROOM_REJECTED, mix.waiting_room_rejected),
        (Outcome.WAITING_ROOM_ADMITTED, mix.waiting_room_admitted),
    )
    draw = rng.random() - (1.0 - sum(weight for _, weight in weights))
    if draw < 0:
        return Outcome.NORMAL
    for outcome, weight in weights:
        if draw < weight:
            return outcome
        draw -= weight
    return Outcome.NORMAL


def stays(durations: Durations, outcome: Outcome) -> dict[BotStatus, timedelta | None]:
    """How long a bot on ``outcome`` stays in each status; ``None`` or absent: for good."""
    waiting = durations.waiting_room
    if outcome is Outcome.WAITING_ROOM_REJECTED:
        waiting = durations.waiting_room_timeout
    return {
        BotStatus.JOINING_CALL: durations.joining,
        BotStatus.IN_WAITING_ROOM: waiting,
        BotStatus.IN_CALL_NOT_RECORDING: durations.not_recording,
        BotStatus.IN_CALL_RECORDING: durations.call,
        BotStatus.CALL_ENDED: durations.call_ended,
        BotStatus.RECORDING_DONE: durations.processing,
        BotStatus.DONE: durations.retention,
    }


def _jittered(stay: timedelta, jitter: float, rng: Random) -> timedelta:
    if jitter <= 0:
        return stay
    return stay * rng.uniform(1.0 - jitter, 1.0 + jitter)


def plan_script(
    *,
    outcome: Outcome,
    created_at: datetime,
    start_at: datetime,
    durations: Durations,
    rng: Random,
) -> tuple[TimelineEntry, ...]:
    """The full status timeline: ``pending`` at creation, then the path from ``start_at``."""
    entries = [TimelineEntry(status=BotStatus.PENDING, at=created_at)]
    table = stays(durations, outcome)
    at = start_at
    for status in PATHS[outcome]:
        entries.append(TimelineEntry(status=status, at=at))
        stay = table.get(status)
        if stay is None:
            break
        at += _jittered(stay, durations.jitter, rng)
    return tuple(entries)


@dataclass(frozen=True, slots=True, kw_only=True)
class SimBot:
    """One bot as the simulator keeps it; its status is derived from ``now``, never stored."""

    id: str
    owner: str
    title: str | None
    meeting_url: str
    platform: Platform
    bot_name: str
    workspace_id: str
    requested_join_at: datetime | None
    join_at: datetime | None
    created_at: datetime
    outcome: Outcome
    script: tuple[TimelineEntry, ...]
    cancelled_at: datetime | None = None
    cancelled_by: str | None = None
    cancel_reason: str | None = None

    @property
    def join_type(self) -> str:
        return "adhoc" if self.join_at is None else "scheduled"

    @property
    def timeline(self) -> tuple[TimelineEntry, ...]:
        """The script up to a cancel, then ``cancelled``: every change and its instant."""
        if self.cancelled_at is None:
            return self.script
        cut = self.cancelled_at
        kept = tuple(entry for entry in self.script if entry.at <= cut)
        return (*kept, TimelineEntry(status=BotStatus.CANCELLED, at=cut))

    def entry_at(self, now: datetime) -> TimelineEntry:
        """The latest change at or before ``now`` (the creation entry if none)."""
        current = self.timeline[0]
        for entry in self.timeline:
            if entry.at > now:
                break
            current = entry
        return current

    def status_at(self, now: datetime) -> BotStatus:
        return self.entry_at(now).status

    def reached_at(self, status: BotStatus, now: datetime) -> datetime | None:
        """When the bot entered ``status``, if it has by ``now``."""
        for entry in self.timeline:
            if entry.status is status and entry.at <= now:
                return entry.at
        return None

    def is_terminal_at(self, now: datetime) -> bool:
        return self.status_at(now) in TERMINAL_STATUSES

    def cancel(self, *, at: datetime, by: str, reason: str | None) -> SimBot:
        return replace(self, cancelled_at=at, cancelled_by=by, cancel_reason=reason)
