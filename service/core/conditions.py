"""Conditions: lasting failures (Mavera unreachable, database unavailable, ...) told in few lines.

A condition starts with one line naming its cause, is recalled at most every ``repeat_every``
while failures go on (how many since the last line, and since when), and ends with one line
when it clears. Pure: the caller passes ``now`` and logs the lines it gets back.

Each failure comes from a *source* (a periodic pass, a kind of request). A condition clears
when every source that failed has succeeded since; a source that stopped reporting (a pass
another replica now runs) is forgotten after ``forget_after``, unless the kind is ``sticky``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from service.core.errors import (
    ACCOUNT_REFUSED,
    MaveraError,
    MaveraNotSent,
    MaveraOutcomeUnknown,
    MaveraRateLimited,
    SendWindowPassed,
)
from service.core.timestamps import utc_iso


@dataclass(frozen=True, slots=True, kw_only=True)
class Kind:
    """A kind of condition. ``title`` may hold ``{subject}``; an ``alert`` is logged as an
    ERROR line starting with ``ALERT:``, anything else as a WARNING. The first line waits for
    ``threshold`` failures (a lone blip clears unseen); ``unit`` names what is counted."""

    name: str
    title: str
    alert: bool = False
    threshold: int = 1
    sticky: bool = False
    unit: str = "failure"


MAVERA_UNREACHABLE: Final = Kind(
    name="mavera_unreachable", title="Mavera API unreachable", threshold=3
)
MAVERA_SERVER_ERRORS: Final = Kind(
    name="mavera_server_errors", title="Mavera API failing", threshold=3
)
MAVERA_RATE_LIMITED: Final = Kind(
    name="mavera_rate_limited", title="Mavera API rate-limiting this key", threshold=3
)
# 402 refuses creates only: a read that succeeds says nothing about it, hence sticky.
MAVERA_ACCOUNT: Final = Kind(
    name="mavera_account_paused",
    title="Mavera refuses this API key or account; dispatching pauses and retries",
    alert=True,
    sticky=True,
)
DATABASE: Final = Kind(name="database_unavailable", title="database unavailable", alert=True)
PASS_ERROR: Final = Kind(name="pass_error", title="{subject} pass failed", alert=True)
PLAN_LATE: Final = Kind(
    name="plan_late", title="planner cannot meet every deadline", alert=True, unit="replan"
)
MAVERA_KINDS: Final = (
    MAVERA_UNREACHABLE,
    MAVERA_SERVER_ERRORS,
    MAVERA_RATE_LIMITED,
    MAVERA_ACCOUNT,
)


def mavera_condition(exc: MaveraError) -> Kind | None:
    """The condition a failed Mavera request is part of; None when only that request was
    refused (400/403/404/409/422) or it never left (no room in the budget)."""
    if isinstance(exc, SendWindowPassed):
        return None
    if isinstance(exc, MaveraRateLimited):
        return MAVERA_RATE_LIMITED
    if isinstance(exc, ACCOUNT_REFUSED):
        return MAVERA_ACCOUNT
    if isinstance(exc, MaveraNotSent):
        return MAVERA_UNREACHABLE
    if isinstance(exc, MaveraOutcomeUnknown):
        return MAVERA_UNREACHABLE if exc.status is None else MAVERA_SERVER_ERRORS
    return None


def request_log_level(exc: MaveraError) -> int:
    """How loud to log one failed request: quiet when it is part of a condition (which is
    logged on its own), a WARNING when only this request was refused."""
    return logging.DEBUG if mavera_condition(exc) is not None else logging.WARNING


class Phase(StrEnum):
    STARTED = "started"
    CONTINUES = "continues"
    CLEARED = "cleared"


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    kind: Kind
    phase: Phase
    level: int
    text: str


@dataclass(slots=True, kw_only=True)
class _Active:
    since: datetime
    cause: str
    failures: int = 0
    unreported: int = 0
    reported_at: datetime | None = None
    failing: dict[str, datetime] = field(default_factory=dict)


class Conditions:
    """The conditions active in this process, keyed by kind, subject and key (a condition per
    distinct key, e.g. per distinct error of a pass)."""

    def __init__(
        self,
        *,
        repeat_every: timedelta = timedelta(minutes=5),
        forget_after: timedelta = timedelta(minutes=10),
    ) -> None:
        self._repeat_every = repeat_every
        self._forget_after = forget_after
        self._active: dict[tuple[str, str, str], _Active] = {}

    def failed(
        self,
        kind: Kind,
        cause: str,
        *,
        now: datetime,
        source: str = "",
        subject: str = "",
        key: str = "",
    ) -> Line | None:
        """Count a failure; the line to log, if one is due."""
        state = self._active.setdefault((kind.name, subject, key), _Active(since=now, cause=cause))
        state.failures += 1
        state.unreported += 1
        state.cause = cause
        state.failing[source] = now
        if state.reported_at is None:
            if state.failures < kind.threshold:
                return None
            return self._report(kind, subject, state, Phase.STARTED, now)
        if now - state.reported_at < self._repeat_every:
            return None
        return self._report(kind, subject, state, Phase.CONTINUES, now)

    def succeeded(
        self, kind: Kind, *, now: datetime, source: str = "", subject: str | None = None
    ) -> list[Line]:
        """Count a success from ``source``; the lines of the conditions it clears."""
        lines: list[Line] = []
        for ident, state in list(self._active.items()):
            if ident[0] != kind.name or subject not in (None, ident[1]):
                continue
            state.failing.pop(source, None)
            if not kind.sticky:
                self._forget(state, now)
            if state.failing:
                continue
            del self._active[ident]
            if state.reported_at is not None:
                lines.append(self._report(kind, ident[1], state, Phase.CLEARED, now))
        return lines

    def active(self) -> list[str]:
        """The names of the active conditions (``kind`` or ``kind:subject``)."""
        return [f"{name}:{subject}" if subject else name for name, subject, _ in self._active]

    def _forget(self, state: _Active, now: datetime) -> None:
        """Sources silent for ``forget_after`` count as recovered (a pass moved elsewhere)."""
        for source, at in list(state.failing.items()):
            if now - at >= self._forget_after:
                del state.failing[source]

    def _report(
        self, kind: Kind, subject: str, state: _Active, phase: Phase, now: datetime
    ) -> Line:
        text = _text(kind, subject, state, phase, now)
        line = Line(kind=kind, phase=phase, level=_level(kind, phase), text=text)
        state.reported_at = now
        state.unreported = 0
        return line


def _level(kind: Kind, phase: Phase) -> int:
    if phase is Phase.CLEARED:
        return logging.WARNING if kind.alert else logging.INFO
    return logging.ERROR if kind.alert else logging.WARNING


def _text(kind: Kind, subject: str, state: _Active, phase: Phase, now: datetime) -> str:
    title = kind.title.format(subject=subject)
    total = _count(state.failures, kind.unit)
    if phase is Phase.CLEARED:
        return f"{title}: recovered after {span(now - state.since)} ({total})"
    prefix = "ALERT: " if kind.alert else ""
    if phase is Phase.STARTED:
        since = "" if state.failures == 1 else f" since {utc_iso(state.since)}"
        return f"{prefix}{title}: {state.cause} ({total}{since})"
    assert state.reported_at is not None
    return (
        f"{prefix}{title}, still: {state.cause} ({state.unreported} more since "
        f"{utc_iso(state.reported_at)}; {total} since {utc_iso(state.since)})"
    )


def _count(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def span(duration: timedelta) -> str:
    """A duration for people: ``45s``, ``3m12s``, ``2h05m``."""
    seconds = max(0, int(duration.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
