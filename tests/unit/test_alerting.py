"""Alerts: a failing pass costs a few lines, an outage no traceback, a bug one per error."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from sqlalchemy import exc as sa

from service.adapters.alerting import LoggingAlerts
from service.adapters.sql.availability import database_problem
from tests.fakes.clock import FakeClock

LOGGER = "service.adapters.alerting"


def locked() -> sa.OperationalError:
    return sa.OperationalError(
        "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
    )


def bug() -> KeyError:
    empty: dict[str, int] = {}
    try:
        empty["missing"]
    except KeyError as exc:
        return exc
    raise AssertionError("unreachable")


def other_bug() -> ValueError:
    try:
        int("x")
    except ValueError as exc:
        return exc
    raise AssertionError("unreachable")


def records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER]


def test_a_database_outage_is_one_alert_without_traceback_then_one_recovery(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    alerts = LoggingAlerts(clock=clock, database_problem=database_problem)
    for _ in range(60):  # a minute of 1-second ticks, five passes each
        for what in ("dispatch", "timers", "tracking lease", "planner lease", "reaper"):
            alerts.pass_failed(what, locked())
        clock.advance(1)
    for what in ("dispatch", "timers", "tracking lease", "planner lease", "reaper"):
        alerts.pass_succeeded(what)
    lines = [(r.levelno, r.getMessage(), r.exc_info) for r in records(caplog)]
    assert lines == [
        (
            logging.ERROR,
            "ALERT: database unavailable: database is locked (1 failure)",
            None,
        ),
        (logging.WARNING, "database unavailable: recovered after 1m00s (300 failures)", None),
    ]


def test_a_bug_is_logged_with_its_traceback_once_per_error_every_five_minutes(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    alerts = LoggingAlerts(clock=clock, database_problem=database_problem)
    for _ in range(10 * 60):  # ten minutes of 1-second ticks
        alerts.pass_failed("planner", bug())
        alerts.pass_failed("planner", other_bug())
        clock.advance(1)
    alerts.pass_succeeded("planner")
    logged = records(caplog)
    not_int = "ValueError: invalid literal for int() with base 10: 'x'"
    assert [(r.levelno, r.getMessage().split(" (")[0]) for r in logged] == [
        (logging.ERROR, "ALERT: planner pass failed: KeyError: 'missing'"),
        (logging.ERROR, f"ALERT: planner pass failed: {not_int}"),
        (logging.ERROR, "ALERT: planner pass failed, still: KeyError: 'missing'"),
        (logging.ERROR, f"ALERT: planner pass failed, still: {not_int}"),
        (logging.WARNING, "planner pass failed: recovered after 10m00s"),
        (logging.WARNING, "planner pass failed: recovered after 10m00s"),
    ]
    assert [r.exc_info is not None for r in logged] == [True, True, True, True, False, False]


def test_an_outage_and_a_bug_in_different_passes_clear_separately(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    alerts = LoggingAlerts(clock=clock, database_problem=database_problem)
    alerts.pass_failed("dispatch", locked())
    alerts.pass_failed("calendar sync", bug())
    assert alerts.active() == ["database_unavailable", "pass_error:calendar sync"]
    alerts.pass_succeeded("dispatch")
    assert alerts.active() == ["pass_error:calendar sync"]
    alerts.pass_succeeded("calendar sync")
    assert alerts.active() == []
    assert len(records(caplog)) == 4
