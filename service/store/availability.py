"""Database failures as the operator sees them: one short line, never a password.

The driver's errors (refused, unreachable, timed out, read-only, locked, missing file) become
``StoreUnavailable`` naming the database with its password masked; a bad URL is a
``ConfigError`` raised earlier by ``engine.check_url``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from service.errors import StoreUnavailable
from service.store.engine import display_url, sqlite_path

CAUSE_LIMIT: Final = 200
# The asyncpg adapter prefixes its messages with the class: "<class 'asyncpg....'>: ...".
_CLASS_PREFIX: Final = re.compile(r"^<class '[\w.]+'>:\s*")


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
    return text if len(text) <= CAUSE_LIMIT else text[: CAUSE_LIMIT - 1] + "…"
