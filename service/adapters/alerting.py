"""LoggingAlerts (the ``Alerts`` port): the process's conditions, logged when they start,
while they last and when they clear; shared by the runner's passes, the Mavera client and the
replanner (the composition root builds the one instance).

A failing pass is either an outage (the database: one ``ALERT``, no traceback) or a bug (one
``ALERT`` with its traceback per distinct error, at most every ``repeat_every``). A failed
Mavera request counts towards a condition only when Mavera or the account is the cause.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from datetime import timedelta

from service.core.conditions import (
    DATABASE,
    MAVERA_KINDS,
    PASS_ERROR,
    Conditions,
    Kind,
    mavera_condition,
)
from service.core.errors import MaveraError
from service.core.ports import Clock

log = logging.getLogger(__name__)
MAX_CAUSE = 300
DatabaseProblem = Callable[[BaseException], str | None]


def _never(_exc: BaseException) -> str | None:
    return None


class LoggingAlerts:
    """The ``Alerts`` port as log lines (see the module)."""

    def __init__(
        self,
        *,
        clock: Clock,
        repeat_every: timedelta = timedelta(minutes=5),
        database_problem: DatabaseProblem = _never,
    ) -> None:
        self._clock = clock
        self._conditions = Conditions(repeat_every=repeat_every)
        self._database_problem = database_problem

    def failed(
        self,
        kind: Kind,
        cause: str,
        *,
        source: str = "",
        subject: str = "",
        key: str = "",
        exc: BaseException | None = None,
    ) -> None:
        now = self._clock.now()
        line = self._conditions.failed(
            kind, cause, now=now, source=source, subject=subject, key=key
        )
        if line is not None:
            log.log(line.level, "%s", line.text, exc_info=exc)

    def succeeded(self, kind: Kind, *, source: str = "", subject: str | None = None) -> None:
        now = self._clock.now()
        for line in self._conditions.succeeded(kind, now=now, source=source, subject=subject):
            log.log(line.level, "%s", line.text)

    def mavera_failed(self, exc: MaveraError, *, request: str, source: str) -> None:
        kind = mavera_condition(exc)
        if kind is not None:
            cause = str(exc) if exc.status is None else f"{exc} ({request})"
            self.failed(kind, cause, source=source)

    def mavera_succeeded(self, *, source: str) -> None:
        for kind in MAVERA_KINDS:
            self.succeeded(kind, source=source)

    def pass_failed(self, what: str, exc: BaseException) -> None:
        cause = self._database_problem(exc)
        if cause is not None:
            self.failed(DATABASE, cause, source=what)
            return
        self.failed(
            PASS_ERROR, _cause(exc), source=what, subject=what, key=_signature(exc), exc=exc
        )

    def pass_succeeded(self, what: str) -> None:
        self.succeeded(DATABASE, source=what)
        self.succeeded(PASS_ERROR, source=what, subject=what)

    def active(self) -> list[str]:
        return self._conditions.active()


def _cause(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    cause = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return cause[:MAX_CAUSE]  # the traceback, logged with it, has the rest


def _signature(exc: BaseException) -> str:
    """What makes two errors "the same": their type and where they were raised."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    return f"{type(exc).__qualname__}@{where}"
