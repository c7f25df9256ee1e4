"""The condition tracker: few lines per lasting failure, driven by a table of events."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import pytest

from service.core.conditions import (
    DATABASE,
    MAVERA_ACCOUNT,
    MAVERA_RATE_LIMITED,
    MAVERA_SERVER_ERRORS,
    MAVERA_UNREACHABLE,
    Conditions,
    Kind,
    Line,
    Phase,
    mavera_condition,
    span,
)
from service.core.errors import (
    MaveraError,
    MaveraNotFound,
    MaveraNotSent,
    MaveraOutcomeUnknown,
    MaveraPaymentRequired,
    MaveraRateLimited,
    MaveraRejected,
    MaveraUnauthorized,
    SendWindowPassed,
)
from tests.conftest import T0

WARN = Kind(name="warn", title="thing failing")
ALERT = Kind(name="alert", title="thing down", alert=True)
NOISY = Kind(name="noisy", title="blips", threshold=3)
STICKY = Kind(name="sticky", title="account refused", alert=True, sticky=True)
PASS = Kind(name="pass", title="{subject} pass failed", alert=True)


@dataclass(frozen=True, slots=True)
class Event:
    """At ``second``, ``ok`` (a success) or a failure of ``source`` with ``cause``."""

    second: float
    ok: bool = False
    source: str = ""
    cause: str = "boom"


def fail(second: float, source: str = "", cause: str = "boom") -> Event:
    return Event(second, ok=False, source=source, cause=cause)


def ok(second: float, source: str = "") -> Event:
    return Event(second, ok=True, source=source)


def replay(kind: Kind, events: list[Event]) -> list[tuple[float, Phase, int, str]]:
    conditions = Conditions(repeat_every=timedelta(minutes=5), forget_after=timedelta(minutes=10))
    out: list[tuple[float, Phase, int, str]] = []
    for event in events:
        now = T0 + timedelta(seconds=event.second)
        lines: list[Line] = []
        if event.ok:
            lines = conditions.succeeded(kind, now=now, source=event.source)
        else:
            line = conditions.failed(kind, event.cause, now=now, source=event.source)
            lines = [line] if line is not None else []
        out += [(event.second, line.phase, line.level, line.text) for line in lines]
    return out


S, C, X = Phase.STARTED, Phase.CONTINUES, Phase.CLEARED
ERROR, WARNING, INFO = logging.ERROR, logging.WARNING, logging.INFO

CASES = {
    "a warning starts, is quiet, clears": (
        WARN,
        [fail(0), fail(5), fail(10), ok(192)],
        [
            (0, S, WARNING, "thing failing: boom (1 failure)"),
            (192, X, INFO, "thing failing: recovered after 3m12s (3 failures)"),
        ],
    ),
    "an alert is an ERROR line and clears with a WARNING": (
        ALERT,
        [fail(0, cause="refused"), ok(30)],
        [
            (0, S, ERROR, "ALERT: thing down: refused (1 failure)"),
            (30, X, WARNING, "thing down: recovered after 30s (1 failure)"),
        ],
    ),
    "a lasting condition is recalled at most every five minutes, with counts": (
        WARN,
        [fail(0), *[fail(10 * i, cause="still down") for i in range(1, 61)], ok(3600)],
        [
            (0, S, WARNING, "thing failing: boom (1 failure)"),
            (
                300,
                C,
                WARNING,
                "thing failing, still: still down (30 more since 2026-11-23T08:00:00Z; "
                "31 failures since 2026-11-23T08:00:00Z)",
            ),
            (
                600,
                C,
                WARNING,
                "thing failing, still: still down (30 more since 2026-11-23T08:05:00Z; "
                "61 failures since 2026-11-23T08:00:00Z)",
            ),
            (3600, X, INFO, "thing failing: recovered after 1h00m (61 failures)"),
        ],
    ),
    "no failures, no reminder": (
        WARN,
        [fail(0), fail(900), ok(901)],
        [
            (0, S, WARNING, "thing failing: boom (1 failure)"),
            (
                900,
                C,
                WARNING,
                "thing failing, still: boom (1 more since 2026-11-23T08:00:00Z; "
                "2 failures since 2026-11-23T08:00:00Z)",
            ),
            (901, X, INFO, "thing failing: recovered after 15m01s (2 failures)"),
        ],
    ),
    "below its threshold a blip clears unseen": (
        NOISY,
        [fail(0), fail(1), ok(2), fail(10), ok(11)],
        [],
    ),
    "at its threshold it starts with the count so far": (
        NOISY,
        [fail(0), fail(1), fail(2), ok(4)],
        [
            (2, S, WARNING, "blips: boom (3 failures since 2026-11-23T08:00:00Z)"),
            (4, X, INFO, "blips: recovered after 4s (3 failures)"),
        ],
    ),
    "it clears only when every failing source succeeded": (
        ALERT,
        [
            fail(0, "dispatch"),
            fail(1, "timers"),
            ok(2, "reads"),
            ok(3, "dispatch"),
            ok(4, "timers"),
        ],
        [
            (0, S, ERROR, "ALERT: thing down: boom (1 failure)"),
            (4, X, WARNING, "thing down: recovered after 4s (2 failures)"),
        ],
    ),
    "a source silent for ten minutes is forgotten": (
        ALERT,
        [fail(0, "planner"), fail(1, "dispatch"), ok(2, "dispatch"), ok(599, "x"), ok(600, "x")],
        [
            (0, S, ERROR, "ALERT: thing down: boom (1 failure)"),
            (600, X, WARNING, "thing down: recovered after 10m00s (2 failures)"),
        ],
    ),
    "a sticky condition waits for its own source": (
        STICKY,
        [fail(0, "create"), ok(1, "read"), ok(3600, "read"), ok(3601, "create")],
        [
            (0, S, ERROR, "ALERT: account refused: boom (1 failure)"),
            (3601, X, WARNING, "account refused: recovered after 1h00m (1 failure)"),
        ],
    ),
    "after it cleared, a new failure starts a new condition at once": (
        WARN,
        [fail(0), ok(1), fail(2)],
        [
            (0, S, WARNING, "thing failing: boom (1 failure)"),
            (1, X, INFO, "thing failing: recovered after 1s (1 failure)"),
            (2, S, WARNING, "thing failing: boom (1 failure)"),
        ],
    ),
}


@pytest.mark.parametrize(("kind", "events", "expected"), CASES.values(), ids=list(CASES))
def test_conditions_log_few_lines(
    kind: Kind, events: list[Event], expected: list[tuple[float, Phase, int, str]]
) -> None:
    assert replay(kind, events) == expected


def test_distinct_keys_are_distinct_conditions_and_a_subject_success_clears_them_all() -> None:
    conditions = Conditions()
    first = conditions.failed(PASS, "KeyError: 'x'", now=T0, source="sync", subject="sync", key="a")
    second = conditions.failed(PASS, "ValueError", now=T0, source="sync", subject="sync", key="b")
    again = conditions.failed(PASS, "KeyError: 'x'", now=T0, source="sync", subject="sync", key="a")
    other = conditions.failed(PASS, "KeyError", now=T0, source="dispatch", subject="dispatch")
    assert [line.text for line in (first, second) if line] == [
        "ALERT: sync pass failed: KeyError: 'x' (1 failure)",
        "ALERT: sync pass failed: ValueError (1 failure)",
    ]
    assert again is None
    assert other is not None
    cleared = conditions.succeeded(PASS, now=T0, source="sync", subject="sync")
    assert [line.text for line in cleared] == [
        "sync pass failed: recovered after 0s (2 failures)",
        "sync pass failed: recovered after 0s (1 failure)",
    ]
    assert conditions.active() == ["pass:dispatch"]


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (MaveraNotSent("POST /meetings: could not connect"), MAVERA_UNREACHABLE),
        (MaveraOutcomeUnknown("GET /meetings: no answer in time"), MAVERA_UNREACHABLE),
        (MaveraOutcomeUnknown("down", status=503, code="x"), MAVERA_SERVER_ERRORS),
        (MaveraOutcomeUnknown("answer is not JSON", status=200), MAVERA_SERVER_ERRORS),
        (MaveraRateLimited("slow down", retry_after=3), MAVERA_RATE_LIMITED),
        (MaveraUnauthorized("revoked", status=401), MAVERA_ACCOUNT),
        (MaveraPaymentRequired("no credits", status=402), MAVERA_ACCOUNT),
        (MaveraRejected("bad link", status=400), None),
        (MaveraRejected("forbidden", status=403), None),
        (MaveraNotFound("no such meeting", status=404), None),
        (SendWindowPassed("no room in the budget"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, MaveraError) else str(value),
)
def test_which_mavera_failures_are_conditions(error: MaveraError, kind: Kind | None) -> None:
    assert mavera_condition(error) == kind


def test_database_is_an_alert() -> None:
    assert DATABASE.alert


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59, "59s"), (60, "1m00s"), (192, "3m12s"), (3599, "59m59s"), (7500, "2h05m")],
)
def test_span_reads_like_a_person_would_say_it(seconds: int, text: str) -> None:
    assert span(timedelta(seconds=seconds)) == text
