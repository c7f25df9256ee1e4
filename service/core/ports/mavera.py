"""The Mavera ports: the Meetings API as the use cases need it, and the request budget every
call to it spends from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from service.core.model import RemoteBot, RemotePage


class Purpose(StrEnum):
    """Why a request is sent; reads are capped so they never starve creates."""

    CREATE = "create"
    CANCEL = "cancel"
    READ = "read"


class RequestBudget(Protocol):
    """The API key's per-minute budget and account state, shared by everything that calls
    Mavera (every replica, on PostgreSQL).

    Besides what is listed, a budget kept in the store raises what the store fails with while
    it cannot be reached (see the ``core.ports`` package).
    """

    async def acquire(self, purpose: Purpose, *, by: datetime | None = None) -> None:
        """Wait until one request for ``purpose`` fits in the window, then count it.

        :raises SendWindowPassed: no room before ``by`` (nothing was counted or sent).
        """
        ...

    async def block(self, until: datetime) -> None:
        """Send nothing before ``until`` (Mavera answered 429 with Retry-After)."""
        ...

    async def observe(self, *, limit: int | None, remaining: int | None, now: datetime) -> None:
        """Correct the budget from the ``X-RateLimit-Limit``/``-Remaining`` headers."""
        ...

    async def free_for_writes(self, now: datetime) -> int:
        """How many creates or cancels would fit right now."""
        ...

    async def requests_per_minute(self) -> int:
        """The key's limit as last learned (configured, then corrected by the server)."""
        ...

    async def pause(self, *, until: datetime, reason: str) -> None:
        """Stop dispatching with this key until ``until`` (401/402: key or account refused)."""
        ...

    async def paused(self, now: datetime) -> tuple[datetime, str] | None:
        """(until, reason) while dispatching is paused, else None."""
        ...


class BotApi(Protocol):
    """The Mavera Meetings API as the use cases need it.

    Errors are the ``MaveraError`` tree: ``MaveraRejected`` (4xx, nothing happened),
    ``MaveraRateLimited`` and ``MaveraNotSent`` (nothing happened, try later),
    ``MaveraOutcomeUnknown`` (it may have happened).
    """

    async def create_bot(
        self,
        *,
        meeting_url: str,
        join_at: datetime,
        title: str,
        bot_name: str,
        workspace_id: str | None,
        send_by: datetime | None = None,
    ) -> RemoteBot:
        """Book a bot that joins ``meeting_url`` at ``join_at``; never send after ``send_by``.

        :raises SendWindowPassed: the budget had no room before ``send_by`` (nothing sent).
        :raises MaveraRejected: Mavera refused the create (4xx); nothing was booked.
        :raises MaveraOutcomeUnknown: a bot may have been booked (timeout, reset, 5xx): it
            is never re-sent, the meeting must be reconciled first.
        :raises MaveraError: nothing was booked (429, not sent); try again later.
        """
        ...

    async def get_bot(self, mavera_id: str) -> RemoteBot:
        """Read one bot.

        :raises MaveraNotFound: Mavera does not know the bot.
        :raises MaveraError: the read failed (rejected, rate limited, unreachable).
        """
        ...

    async def cancel_bot(self, mavera_id: str, *, reason: str) -> None:
        """Cancel a bot (harmless to repeat).

        :raises MaveraNotFound: Mavera does not know the bot.
        :raises MaveraRejected: Mavera would not cancel it (it has ended, or is running).
        :raises MaveraError: the cancel may not have happened; try again later.
        """
        ...

    def list_pages(
        self, *, workspace_id: str | None = None, page_size: int = 100, max_pages: int = 1000
    ) -> AsyncIterator[RemotePage]:
        """Pages of bots, newest first where the API sorts that way.

        :raises MaveraError: a page could not be read (the pages before it were yielded).
        """
        ...
