"""The single-daemon lock for SQLite: an OS file lock that dies with its process."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from service.errors import StoreLocked


@contextmanager
def single_daemon(database_path: str) -> Iterator[None]:
    """Hold an exclusive lock next to the database file, or raise StoreLocked."""
    lock_path = f"{database_path}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreLocked(database_path) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
