"""Schema migrations with Alembic (the daemon's start-up check is in ``schema``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from service.adapters.sql.availability import require_file, store_errors
from service.adapters.sql.engine import check_url

MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (runs its own event loop: call from sync code).

    :raises ConfigError: ``url`` is not a supported database URL.
    :raises StoreUnavailable: the database cannot be reached, created or written.
    """
    check_url(url)
    require_file(url, create=True)
    with store_errors(url, connecting=True):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    assert head is not None, "no migrations found"
    return head
