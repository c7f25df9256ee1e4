"""Which database URLs have a file: only SQLite's (a PostgreSQL daemon is never 'sole')."""

from __future__ import annotations

import pytest

from service.store.engine import sqlite_path


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
