"""The clock port: the one source of ``now`` and of waiting."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The source of ``now`` and of waiting; tests inject a fake that moves on command."""

    def now(self) -> datetime:
        """Return the current time, aware, in UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a fake clock advances itself instead of waiting)."""
        ...
