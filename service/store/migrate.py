"""Schema migrations: Alembic upgrade, and the check that the database is at head."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from service.errors import SchemaOutOfDate
from service.store.engine import reading

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (runs its own event loop: call from sync code)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None, "no migrations found"
    return head


async def ensure_at_head(engine: AsyncEngine) -> None:
    """Refuse to run on a schema that is behind (or ahead of) this code."""
    async with reading(engine) as conn:
        current = await conn.run_sync(_current_revision)
    head = head_revision()
    if current != head:
        raise SchemaOutOfDate(current, head)


def _current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()
