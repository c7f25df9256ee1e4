"""Database failures as the operator sees them: one short line, never a password.

The driver's errors (refused, unreachable, timed out, read-only, locked, missing file) become
``StoreUnavailable`` naming the database with its password masked; a bad URL is a
``ConfigError`` raised earlier by ``engine.check_url``. In the running daemon an outage is not
a bug: ``database_problem`` tells the periodic passes which failures to report as one
condition (no traceback per tick); errors that point at our own code (integrity, bad data)
are not outages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from sqlalchemy import exc as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.adapters.sql.engine import display_url, sqlite_path
from service.core.errors import StoreUnavailable

CAUSE_LIMIT: Final = 200
# The asyncpg adapter prefixes its messages with the class: "<class 'asyncpg....'>: ...".
_CLASS_PREFIX: Final = re.compile(r"^<class '[\w.]+'>:\s*")
_CREDENTIALS: Final = re.compile(r"(\w+://[^:/@\s]*:)[^@\s]*@")
_DRIVERS: Final = ("sqlalchemy.", "asyncpg.", "aiosqlite.", "sqlite3.")
_MISSING_SCHEMA: Final = re.compile(r"no such table|does not exist|UndefinedTable", re.IGNORECASE)
_GHOST: Final = "; this daemon goes on with the copy it has open, which is lost when it stops"


def require_file(url: str, *, create: bool) -> None:
    """Refuse a SQLite database whose directory is missing, or whose file is missing when
    it must not be created (every command but ``migrate``): SQLite would create an empty one.

    :raises StoreUnavailable: the directory, or the file, does not exist.
    """
    path = sqlite_path(url)
    if path is None or make_url(url).query.get("uri"):
        return  # not a file, or a file: URI whose options SQLite reads itself
    file = Path(path)
    if not file.parent.is_dir():
        raise StoreUnavailable(display_url(url), f"the directory {file.parent} does not exist")
    if not create and not file.exists():
        raise StoreUnavailable(
            display_url(url), "the file does not exist; run `autojoin migrate` to create it"
        )


@contextmanager
def store_errors(url: str, *, connecting: bool) -> Iterator[None]:
    """Raise the driver's failures inside as ``StoreUnavailable``; while ``connecting``,
    also the network's (refused, unresolvable, timed out), which the driver leaves as they are.
    """
    try:
        yield
    except (DBAPIError, PoolTimeout) as exc:
        raise StoreUnavailable(display_url(url), cause(exc)) from exc
    except OSError as exc:  # ConnectionRefusedError, socket.gaierror, TimeoutError, ...
        if not connecting:
            raise
        raise StoreUnavailable(display_url(url), f"cannot connect: {cause(exc)}") from exc


def cause(exc: BaseException) -> str:
    """The first line of what the driver said, without SQLAlchemy's statement and links."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    if isinstance(inner, OSError) and inner.strerror:
        text = inner.strerror
    else:
        lines = str(inner).strip().splitlines()
        text = _CLASS_PREFIX.sub("", lines[0]) if lines else ""
    text = text or ("timed out" if isinstance(inner, TimeoutError) else type(inner).__name__)
    text = _CREDENTIALS.sub(r"\1***@", text)
    return text if len(text) <= CAUSE_LIMIT else text[: CAUSE_LIMIT - 1] + "…"


def database_problem(exc: BaseException) -> str | None:
    """The cause in one line if ``exc`` means the database cannot be used now; else None."""
    if isinstance(exc, StoreUnavailable):
        return str(exc)
    if isinstance(exc, sa.IntegrityError | sa.DataError | sa.NotSupportedError):
        return None
    if isinstance(exc, sa.ProgrammingError):
        return cause(exc) if _MISSING_SCHEMA.search(str(exc.orig)) else None
    if isinstance(exc, sa.DBAPIError | sa.TimeoutError | sa.DisconnectionError):
        return cause(exc)
    # A driver's own error (connection refused, connect timeout) reaches us unwrapped.
    if isinstance(exc, OSError | TimeoutError) and _raised_in_driver(exc):
        return f"cannot connect: {cause(exc)}"
    return None


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
        """Raise ``StoreUnavailable`` if the file is gone or is another file now."""
        now = _identity(self._path)
        if now is None:
            raise StoreUnavailable(self._path, f"the file was deleted{_GHOST}")
        if now != self._identity:
            raise StoreUnavailable(self._path, f"the file was replaced{_GHOST}")
        return 0


def _identity(path: str) -> _Identity | None:
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        return None
    return _Identity(device=stat.st_dev, inode=stat.st_ino)
