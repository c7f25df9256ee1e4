"""Which exceptions mean "the database is unavailable", told in one line without secrets.

An outage is not a bug: the periodic passes report it as one condition (no traceback per
tick). Errors that point at our own code (integrity, bad data) are not outages.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from sqlalchemy import exc as sa

from service.errors import DatabaseUnavailable

_DRIVERS = ("sqlalchemy.", "asyncpg.", "aiosqlite.", "sqlite3.")
_MISSING_SCHEMA = re.compile(r"no such table|does not exist|UndefinedTable", re.IGNORECASE)
_CREDENTIALS = re.compile(r"(\w+://[^:/@\s]*:)[^@\s]*@")
_BACKGROUND = re.compile(r"\s*\(Background on this error at: [^)]*\)")
MAX_CAUSE = 300
_GHOST = "; this daemon goes on with the copy it has open, which is lost when it stops"


def database_problem(exc: BaseException) -> str | None:
    """The cause in one line if ``exc`` means the database cannot be used now; else None."""
    if isinstance(exc, DatabaseUnavailable):
        return str(exc)
    if isinstance(exc, sa.IntegrityError | sa.DataError | sa.NotSupportedError):
        return None
    if isinstance(exc, sa.ProgrammingError):
        return one_line(exc.orig) if _MISSING_SCHEMA.search(str(exc.orig)) else None
    if isinstance(exc, sa.DBAPIError):
        return one_line(exc.orig)
    if isinstance(exc, sa.TimeoutError | sa.DisconnectionError):
        return one_line(exc)
    # A driver's own error (connection refused, connect timeout) reaches us unwrapped.
    if isinstance(exc, OSError | TimeoutError) and _raised_in_driver(exc):
        return one_line(exc)
    return None


def one_line(exc: BaseException | None) -> str:
    """``Type: first line of the message``, credentials masked, SQLAlchemy's link dropped."""
    if exc is None:
        return "unknown error"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = _CREDENTIALS.sub(r"\1***@", _BACKGROUND.sub("", text))
    cause = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return cause[:MAX_CAUSE]


def _raised_in_driver(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if str(tb.tb_frame.f_globals.get("__name__", "")).startswith(_DRIVERS):
            return True
        tb = tb.tb_next
    return False


@dataclass(frozen=True, slots=True)
class _Identity:
    device: int
    inode: int


class SqliteFileCheck:
    """Notices the SQLite file being deleted or replaced under a running daemon.

    Open connections keep writing to the deleted file (it only disappears when they close),
    so nothing fails: without this check the daemon would go on quietly on data that is gone
    at its next restart.
    """

    def __init__(self, path: str) -> None:
        self._path = path
        self._identity = _identity(path)

    async def check(self) -> int:
        """Raise ``DatabaseUnavailable`` if the file is gone or is another file now."""
        now = _identity(self._path)
        if now is None:
            raise DatabaseUnavailable(f"the SQLite file {self._path} was deleted{_GHOST}")
        if now != self._identity:
            raise DatabaseUnavailable(f"the SQLite file {self._path} was replaced{_GHOST}")
        return 0


def _identity(path: str) -> _Identity | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return _Identity(device=stat.st_dev, inode=stat.st_ino)
