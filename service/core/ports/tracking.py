"""The tracking port: which bots to read, and what reading them found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from service.core.model import Bot, Observed


class TrackingStore(Protocol):
    """Bots to read and the statuses read (see ``SqlTrackingStore``); no method raises but
    what the store fails with while it cannot be reached (see the package)."""

    async def due_for_check(self, *, now: datetime, limit: int) -> list[Bot]:
        """Bots with a Mavera id whose next read is due, most overdue first."""
        ...

    async def tracked(self, mavera_ids: Sequence[str]) -> dict[str, Bot]:
        """Which of these bots are still tracked (whether due or not), by Mavera id."""
        ...

    async def count_created_since(self, since: datetime) -> int:
        """How many of our bots were requested since ``since`` (list pages to reach it)."""
        ...

    async def record_observations(self, observed: Sequence[Observed], *, now: datetime) -> None:
        """Store reads in one transaction; changed statuses also go to the history."""
        ...

    async def record_missing(
        self, bot_id: int, *, now: datetime, retry_at: datetime, message: str
    ) -> None:
        """Mavera answered 404 once: mark the bot (code ``not_found``), read it at ``retry_at``."""
        ...

    async def record_found(self, bot_ids: Sequence[int], *, now: datetime) -> None:
        """These bots were read after all: drop their ``not_found`` mark."""
        ...

    async def record_lost(self, bot_id: int, *, now: datetime, message: str) -> bool:
        """Mavera no longer knows the bot: no more reads, an event on its meeting, and the
        meeting ``failed`` with ``message`` if this bot was its booking (True then); a meeting
        being rebooked or cancelled is left to the dispatcher, which treats the bot as gone."""
        ...
