"""FakeBotApi: the Mavera Meetings API as the use cases see it (the ``BotApi`` port), in a
dict, in the test's own process: no HTTP, no simulator, every call recorded.

Knobs: errors the next calls raise (``fail_creates``, ``fail_cancels``, ``fail_reads``); a
create whose bot is made but whose answer is lost (``lose_answers``: the caller sees the
error); the next creates wait at ``gate`` (before anything is made) until the test opens it
(``hold``), so a test can act while a create is in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime

from service.core.errors import MaveraError, MaveraNotFound
from service.core.model import BotStatus, RemoteBot, RemotePage
from tests.fakes.clock import FakeClock


@dataclass(slots=True, kw_only=True)
class FakeBotApi:
    clock: FakeClock
    bots: dict[str, RemoteBot] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    fail_creates: list[MaveraError] = field(default_factory=list)
    lose_answers: list[MaveraError] = field(default_factory=list)
    fail_cancels: list[MaveraError] = field(default_factory=list)
    fail_reads: list[MaveraError] = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    at_gate: asyncio.Event = field(default_factory=asyncio.Event)
    held: int = 0

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
        self.calls.append(("create", meeting_url))
        if self.held:
            self.held -= 1
            self.at_gate.set()
            await self.gate.wait()
        if self.fail_creates:
            raise self.fail_creates.pop(0)
        mavera_id = f"bot_{len(self.bots) + 1}"
        bot = RemoteBot(
            mavera_id=mavera_id,
            status=BotStatus.PENDING,
            meeting_url=meeting_url,
            join_at=join_at,
            created_at=self.clock.now(),
            title=title,
        )
        self.bots[mavera_id] = bot
        if self.lose_answers:
            raise self.lose_answers.pop(0)
        return bot

    async def get_bot(self, mavera_id: str) -> RemoteBot:
        self.calls.append(("get", mavera_id))
        if self.fail_reads:
            raise self.fail_reads.pop(0)
        if mavera_id not in self.bots:
            raise MaveraNotFound("no such meeting", status=404, code="not_found")
        return self.bots[mavera_id]

    async def cancel_bot(self, mavera_id: str, *, reason: str) -> None:
        self.calls.append(("cancel", mavera_id))
        if self.fail_cancels:
            raise self.fail_cancels.pop(0)
        if mavera_id not in self.bots:
            raise MaveraNotFound("no such meeting", status=404, code="not_found")
        self.set_status(mavera_id, BotStatus.CANCELLED)

    async def list_pages(
        self, *, workspace_id: str | None = None, page_size: int = 100, max_pages: int = 1000
    ) -> AsyncIterator[RemotePage]:
        """Bots newest first, ``page_size`` a page."""
        newest = sorted(self.bots.values(), key=lambda bot: bot.created_at or self.clock.now())
        newest.reverse()
        for number in range(max_pages):
            self.calls.append(("list", str(number)))
            page = tuple(newest[number * page_size : (number + 1) * page_size])
            more = len(newest) > (number + 1) * page_size
            yield RemotePage(
                bots=page, has_more=more, next_cursor=str(number + 1) if more else None
            )
            if not more:
                return

    def hold(self, creates: int = 1) -> None:
        """The next ``creates`` creates wait until ``gate`` is set (``at_gate`` is set when
        one of them has reached it)."""
        self.held = creates
        self.gate.clear()
        self.at_gate.clear()

    def set_status(self, mavera_id: str, status: str) -> None:
        """Move a bot to ``status``, as Mavera would while it joins, records and ends."""
        self.bots[mavera_id] = replace(self.bots[mavera_id], status=status)

    def live(self) -> list[str]:
        """The bots not cancelled, by id."""
        return [key for key, bot in self.bots.items() if bot.status != BotStatus.CANCELLED]

    def count(self, method: str) -> int:
        return sum(1 for called, _ in self.calls if called == method)
