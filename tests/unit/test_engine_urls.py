"""Database URLs: which have a file, which are refused (a config error that never quotes
the URL), and how driver failures become one short line naming the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.adapters.sql.availability import require_file, store_errors
from service.adapters.sql.engine import check_url, display_url, sqlite_path
from service.core.errors import ConfigError, StoreUnavailable


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite+aiosqlite:///./autojoin.db", "./autojoin.db"),
        ("sqlite+aiosqlite:////var/lib/autojoin/a.db", "/var/lib/autojoin/a.db"),
        ("sqlite+aiosqlite:///:memory:", None),
        ("postgresql+asyncpg://autojoin@db.internal:5432/autojoin", None),
        ("postgresql+asyncpg://postgres@127.0.0.1:5432/test", None),
    ],
)
def test_only_sqlite_urls_have_a_path(url: str, path: str | None) -> None:
    assert sqlite_path(url) == path


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("not a url", "not a database URL (expected sqlite+aiosqlite:///path/to/file.db or "),
        ("postgresql+asyncpg://u:pw@h:port/db", "not a database URL"),
        ("foo://x/y", "unsupported database 'foo'"),
        ("sqlite:///a.db", "unsupported database 'sqlite'"),
        ("postgresql://u:pw@h/db", "unsupported database 'postgresql'"),
        ("postgresql+psycopg://u:pw@h/db", "unsupported database 'postgresql+psycopg'"),
        ("mysql+aiomysql://u:pw@h/db", "unsupported database 'mysql+aiomysql'"),
        ("sqlite+aiosqlite://", "an in-memory SQLite database keeps nothing"),
        ("sqlite+aiosqlite:///:memory:", "an in-memory SQLite database keeps nothing"),
    ],
)
def test_an_unusable_database_url_is_a_config_error_that_never_quotes_it(
    url: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        check_url(url)
    assert caught.value.key == "database.url"
    assert caught.value.problem.startswith(problem)
    assert "pw" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("sqlite+aiosqlite:////var/lib/autojoin/a.db", "/var/lib/autojoin/a.db"),
        (
            "postgresql+asyncpg://autojoin:s3cret@db:5432/aj",
            "postgresql+asyncpg://autojoin:***@db:5432/aj",
        ),
        ("postgresql+asyncpg://autojoin@db/aj", "postgresql+asyncpg://autojoin@db/aj"),
        ("not a url", "(unparseable URL)"),
    ],
)
def test_a_database_is_named_with_its_password_masked(url: str, shown: str) -> None:
    assert display_url(url) == shown


class AsyncpgLikeError(Exception):
    pass


@pytest.mark.parametrize(
    ("raised", "connecting", "message"),
    [
        (
            OperationalError(
                "INSERT ...", {}, sqlite3.OperationalError("attempt to write a readonly database")
            ),
            False,
            "database /d/a.db: attempt to write a readonly database",
        ),
        (
            OperationalError(
                "x",
                {},
                AsyncpgLikeError(
                    "<class 'asyncpg.exceptions.X'>: role \"u\" does not exist\nDETAIL: y"
                ),
            ),
            True,
            'database /d/a.db: role "u" does not exist',
        ),
        (
            ConnectionRefusedError(111, "Connect call failed"),
            True,
            "database /d/a.db: cannot connect: Connect call failed",
        ),
        (TimeoutError(), True, "database /d/a.db: cannot connect: timed out"),
        (
            PoolTimeout("QueuePool limit of size 5 reached\n(Background ...)"),
            False,
            "database /d/a.db: QueuePool limit of size 5 reached",
        ),
        (
            OperationalError("x", {}, sqlite3.OperationalError("x" * 500)),
            False,
            f"database /d/a.db: {'x' * 199}…",
        ),
    ],
)
def test_driver_failures_become_store_unavailable_with_one_short_line(
    raised: Exception, connecting: bool, message: str
) -> None:
    with (
        pytest.raises(StoreUnavailable) as caught,
        store_errors("sqlite+aiosqlite:////d/a.db", connecting=connecting),
    ):
        raise raised
    assert str(caught.value) == message
    assert caught.value.__cause__ is raised


def test_an_os_error_after_connecting_is_not_the_database_s() -> None:
    with (
        pytest.raises(FileNotFoundError),
        store_errors("sqlite+aiosqlite:////d/a.db", connecting=False),
    ):
        raise FileNotFoundError(2, "No such file")


def test_a_missing_sqlite_file_or_directory_is_refused_before_sqlite_creates_it(
    tmp_path: Path,
) -> None:
    missing = f"sqlite+aiosqlite:///{tmp_path / 'none.db'}"
    require_file(missing, create=True)
    with pytest.raises(StoreUnavailable, match=r"the file does not exist; run `autojoin migrate`"):
        require_file(missing, create=False)
    with pytest.raises(StoreUnavailable, match=r"the directory .*/gone does not exist"):
        require_file(f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'a.db'}", create=True)
    require_file("postgresql+asyncpg://u@h/db", create=False)
    require_file(f"sqlite+aiosqlite:///file:{tmp_path / 'x.db'}?mode=ro&uri=true", create=False)
    assert list(tmp_path.iterdir()) == []
