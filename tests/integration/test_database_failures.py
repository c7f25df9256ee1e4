"""Which failures mean "the database is unavailable", and the SQLite file check."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from sqlalchemy import exc as sa

from service.adapters.sql.availability import SqliteFileCheck, cause, database_problem
from service.adapters.sql.engine import make_engine
from service.core.errors import StoreUnavailable
from tests.fakes.clock import FakeClock
from tests.integration.test_outages import sqlite_daemon


async def test_a_deleted_sqlite_file_is_noticed_though_open_connections_go_on(
    sqlite_template: Path, tmp_path: Path, clock: FakeClock
) -> None:
    async with sqlite_daemon(sqlite_template, tmp_path, clock) as (daemon, path):
        check = SqliteFileCheck(str(path))
        assert await check.check() == 0
        await daemon.runner.dispatch_pass()  # a connection is open now
        os.remove(path)
        await daemon.runner.dispatch_pass()  # and goes on, on the deleted file
        with pytest.raises(StoreUnavailable) as caught:
            await check.check()
        assert database_problem(caught.value) == (
            f"database {path}: the file was deleted; this daemon goes on with the copy it has "
            "open, which is lost when it stops"
        )
        shutil.copy(sqlite_template, path)
        with pytest.raises(StoreUnavailable, match="was replaced"):
            await check.check()


async def test_a_refused_postgresql_connection_is_named_without_its_password() -> None:
    engine = make_engine("postgresql+asyncpg://autojoin:s3cret@127.0.0.1:9/autojoin")
    try:
        with pytest.raises(ConnectionRefusedError) as caught:
            async with engine.connect():
                pass
    finally:
        await engine.dispose()
    problem = database_problem(caught.value)
    assert problem is not None
    assert problem.startswith("cannot connect: ")
    assert "s3cret" not in problem


def refused_here() -> None:
    raise ConnectionRefusedError("raised by autojoin itself, not by a database driver")


def test_an_error_of_our_own_is_not_an_outage() -> None:
    with pytest.raises(ConnectionRefusedError) as caught:
        refused_here()
    assert database_problem(caught.value) is None


class DriverError(Exception):
    """Stands in for a DBAPI error (sqlite3.Error, asyncpg's errors)."""


@pytest.mark.parametrize(
    ("error", "problem"),
    [
        (
            sa.OperationalError("BEGIN", {}, DriverError("database is locked")),
            "database is locked",
        ),
        (
            sa.OperationalError("SELECT", {}, DriverError("no such table: meetings")),
            "no such table: meetings",
        ),
        (
            sa.InterfaceError("SELECT", {}, DriverError("connection is closed")),
            "connection is closed",
        ),
        (
            sa.ProgrammingError("SELECT", {}, DriverError('relation "meetings" does not exist')),
            'relation "meetings" does not exist',
        ),
        (
            sa.TimeoutError("QueuePool limit of size 5 overflow 10 reached, connection timed out"),
            "QueuePool limit of size 5 overflow 10 reached, connection timed out",
        ),
        (
            StoreUnavailable("x.db", "the file was deleted"),
            "database x.db: the file was deleted",
        ),
        # Our own mistakes are bugs, not outages: they keep their traceback.
        (sa.IntegrityError("INSERT", {}, DriverError("UNIQUE constraint failed")), None),
        (sa.ProgrammingError("SELECT", {}, DriverError('column "x" is unknown')), None),
        (KeyError("meeting_id"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else "",
)
def test_which_errors_mean_the_database_is_unavailable(
    error: BaseException, problem: str | None
) -> None:
    assert database_problem(error) == problem


def test_a_cause_is_one_line_without_credentials() -> None:
    error = DriverError(
        "could not connect to postgresql://autojoin:s3cret@db:5432/autojoin\nDETAIL: more"
    )
    assert cause(error) == "could not connect to postgresql://autojoin:***@db:5432/autojoin"
