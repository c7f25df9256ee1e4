"""Logging for every entry point: one format, and library loggers that never log secrets.

At DEBUG, aiosqlite and SQLAlchemy log each statement with its parameters (feed URLs,
meeting links with passcodes), and aiohttp, asyncpg and asyncio log URLs and arguments.
Those loggers stay at WARNING or above whatever level the operator chooses.
"""

from __future__ import annotations

import logging
import sys
from typing import Final

from service.core.untrusted import escape_text

QUIET_LOGGERS: Final = (
    "aiohttp",
    "aiosqlite",
    "alembic",
    "apscheduler",
    "asyncio",
    "asyncpg",
    "sqlalchemy",
)
FORMAT: Final = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class EscapingFormatter(logging.Formatter):
    """Log messages with control characters escaped: they quote calendars and Mavera."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_text(super().formatMessage(record))


def configure_logging(level: str | int) -> None:
    """The root logger at ``level`` on stderr (control characters escaped), the libraries'
    loggers at WARNING or above."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler])
    quiet_libraries()


def quiet_libraries() -> None:
    floor = max(logging.WARNING, logging.getLogger().getEffectiveLevel())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(floor)
