"""Alembic environment: runs migrations over the service's async engine."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy import Connection

from service.adapters.sql.engine import is_sqlite, make_engine
from service.adapters.sql.tables import metadata

config = context.config


def _url() -> str:
    url = config.attributes.get("database_url") or os.environ.get("AUTOJOIN_DATABASE_URL")
    if not url:
        raise SystemExit("set AUTOJOIN_DATABASE_URL (or use `autojoin migrate`)")
    return str(url)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=is_sqlite(_url()),
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = make_engine(_url(), pool_size=1, foreign_keys=False)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported")
asyncio.run(_run_async())
