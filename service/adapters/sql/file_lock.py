"""The single-daemon lock for SQLite: an OS lock on the database file itself.

The lock is taken on the file, not on a name next to it: a symlink, a hard link, a bind
mount or a relative path to the same database all reach the same inode, so a second daemon
is refused whichever path it was given. ``flock`` locks are separate from the POSIX record
locks SQLite uses, so they never interfere with SQLite's own locking; the descriptor stays
open until the engine is gone (closing any descriptor of a file would drop the process's
POSIX locks on it), and the kernel releases the lock when the process dies, kill -9 included.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from service.core.errors import StoreLocked, StoreUnavailable


@contextmanager
def single_daemon(database_path: str) -> Iterator[None]:
    """Hold an exclusive lock on the database file, or raise StoreLocked."""
    try:
        fd = os.open(database_path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise StoreUnavailable(
            database_path, f"cannot open: {exc.strerror} (`autojoin migrate` creates it)"
        ) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreLocked(os.path.realpath(database_path)) from exc
        yield
    finally:
        os.close(fd)
