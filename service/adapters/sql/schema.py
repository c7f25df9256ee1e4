"""The check that the database schema is the one this code was written for.

The daemon runs it at start-up without importing Alembic (about 11 MB of resident memory a
long-running process would carry for nothing): it reads Alembic's version table directly and
compares it with ``SCHEMA_HEAD``, which a test keeps equal to the newest migration.
"""

from __future__ import annotations

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.sql.engine import reading
from service.core.errors import SchemaOutOfDate

SCHEMA_HEAD = "8bda7b97bee3"
"""The newest revision in ``migrations/versions`` (a new migration updates it)."""

VERSION_TABLE = "alembic_version"


async def ensure_at_head(engine: AsyncEngine) -> None:
    """Refuse to run on a schema that is behind (or ahead of) this code."""
    async with reading(engine) as conn:
        current = await conn.run_sync(current_revision)
    if current != SCHEMA_HEAD:
        raise SchemaOutOfDate(current, SCHEMA_HEAD)


def current_revision(conn: Connection) -> str | None:
    """The revision the database is at; None before the first migration."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    versions = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(versions) > 1:
        # Alembic writes one row per head; this project keeps a single line of migrations.
        return ",".join(sorted(versions))
    return versions[0] if versions else None
