"""A create's answer that arrives after its claim was lost never costs the meeting its bot.

Two daemons share one database and the simulator. Daemon A's create is slow: its lease runs
out, daemon B takes the meeting over and reconciles it, and A's 201 arrives at the worst
moments of B's reconciliation. Whatever the order, every meeting ends with exactly one live
bot, and the bot the store keeps is never the one cancelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from service.composition import Daemon
from service.core.dispatch.states import DispatchState
from service.core.model import RemoteBot, RemotePage
from service.core.ports import BotApi
from tests.conftest import T0
from tests.factories import import_rows
from tests.fakes.clock import FakeClock
from tests.integration.world import FAST, SETTINGS, World, bots_per_url, rows, views, world

MEETINGS = 3


class SlowCreates:
    """Creates that reach Mavera only when ``send`` is set, and answer when ``answer`` is."""

    def __init__(self, api: BotApi) -> None:
        self.api = api
        self.send = asyncio.Event()
        self.answer = asyncio.Event()
        self.all_claimed = asyncio.Event()  # every create of A's pass has begun
        self.all_created = asyncio.Event()  # every bot of A's pass exists at Mavera
        self.begun = 0
        self.answered = 0
        self.created: list[str] = []

    async def create_bot(self, **kwargs: object) -> RemoteBot:
        self.begun += 1
        if self.begun == MEETINGS:
            self.all_claimed.set()
        await self.send.wait()
        # The request left while the claim held; only the server is slow to carry it out.
        kwargs["send_by"] = None
        remote = await self.api.create_bot(**kwargs)  # type: ignore[arg-type]
        self.created.append(remote.mavera_id)
        if len(self.created) == MEETINGS:
            self.all_created.set()
        await self.answer.wait()
        self.answered += 1
        return remote

    def __getattr__(self, name: str) -> object:
        return getattr(self.api, name)


class ListThen:
    """A bot list that runs ``between`` after the last page was read, before it returns."""

    def __init__(self, api: BotApi, between: asyncio.Event, done: asyncio.Event) -> None:
        self.api = api
        self.between = between
        self.done = done

    async def list_pages(self, **kwargs: object) -> AsyncIterator[RemotePage]:
        async for page in self.api.list_pages(**kwargs):  # type: ignore[arg-type]
            if not page.has_more:
                self.between.set()
                await self.done.wait()
            yield page

    def __getattr__(self, name: str) -> object:
        return getattr(self.api, name)


async def take_over(w: World[FakeClock], b: Daemon, slow: SlowCreates) -> asyncio.Task[int]:
    """A claims and starts its slow creates; its leases run out; B expires and claims them."""
    await import_rows(w.settings, w.daemon.engine, rows(MEETINGS, start=T0), w.clock)
    w.daemon.dispatcher._api = slow  # type: ignore[assignment]
    a_pass = asyncio.create_task(w.daemon.dispatcher.dispatch_due())
    async with asyncio.timeout(10):
        await slow.all_claimed.wait()
    assert {v.meeting.dispatch_state for v in await views(w)} == {DispatchState.CLAIMED}
    w.clock.advance(SETTINGS.scheduler.lease.total_seconds() + 1)
    assert await b.dispatch.expire_leases(now=w.clock.now()) == MEETINGS
    return a_pass


async def test_a_late_answer_while_the_other_daemon_adopts_keeps_the_bot(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    # A's bots exist at Mavera when B lists; A's answers land between B's list and B's
    # adoption. Before the fix A cancelled them as duplicates and B then adopted the
    # cancelled bots: every meeting was left without a recording.
    async with (
        world(engine, clock, SETTINGS, durations=FAST) as w,
        aiohttp.ClientSession() as session,
    ):
        b = await w.another_daemon(session)
        slow = SlowCreates(w.daemon.dispatcher._api)
        slow.send.set()
        a_pass = await take_over(w, b, slow)
        async with asyncio.timeout(10):
            await slow.all_created.wait()
        b_listed, a_answered = asyncio.Event(), asyncio.Event()
        b.dispatcher._api = ListThen(b.dispatcher._api, b_listed, a_answered)  # type: ignore[assignment]
        clock.advance(SETTINGS.mavera.request_timeout.total_seconds() * 2)
        b_pass = asyncio.create_task(b.dispatcher.dispatch_due())
        await b_listed.wait()
        slow.answer.set()
        await a_pass
        a_answered.set()
        await b_pass
        await assert_one_live_bot_each(w, kept=set(slow.created))


async def test_a_late_answer_after_the_other_daemon_found_nothing_is_kept(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    # B's list shows nothing yet (Mavera is slow to carry A's creates out); A's bots and
    # answers arrive before B decides to create: B sends nothing and keeps A's bots.
    async with (
        world(engine, clock, SETTINGS, durations=FAST) as w,
        aiohttp.ClientSession() as session,
    ):
        b = await w.another_daemon(session)
        slow = SlowCreates(w.daemon.dispatcher._api)
        a_pass = await take_over(w, b, slow)
        b_listed, a_answered = asyncio.Event(), asyncio.Event()
        b.dispatcher._api = ListThen(b.dispatcher._api, b_listed, a_answered)  # type: ignore[assignment]
        clock.advance(SETTINGS.mavera.request_timeout.total_seconds() * 2)
        b_pass = asyncio.create_task(b.dispatcher.dispatch_due())
        await b_listed.wait()
        slow.send.set()
        slow.answer.set()
        await a_pass
        a_answered.set()
        await b_pass
        assert len(w.sim.state.bots) == MEETINGS  # B created nothing
        await assert_one_live_bot_each(w, kept=set(slow.created))


async def test_a_late_answer_after_the_other_daemon_booked_is_the_one_cancelled(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    # B found nothing and booked its own bots; A's bots arrive afterwards: they are the
    # duplicates, recorded as such and cancelled; B's bots stay.
    async with (
        world(engine, clock, SETTINGS, durations=FAST) as w,
        aiohttp.ClientSession() as session,
    ):
        b = await w.another_daemon(session)
        slow = SlowCreates(w.daemon.dispatcher._api)
        a_pass = await take_over(w, b, slow)
        clock.advance(SETTINGS.mavera.request_timeout.total_seconds() * 2)
        assert await b.dispatcher.dispatch_due() == MEETINGS
        b_bots = {bot.id for bot in w.sim.state.bots}
        slow.send.set()
        slow.answer.set()
        await a_pass
        assert slow.answered == MEETINGS
        await assert_one_live_bot_each(w, kept=b_bots)
        cancelled = {bot.id for bot in w.sim.state.bots if bot.cancelled_at is not None}
        assert cancelled == set(slow.created)


async def assert_one_live_bot_each(w: World[FakeClock], *, kept: set[str]) -> None:
    assert bots_per_url(w) == dict.fromkeys(bots_per_url(w), 1)
    assert len(bots_per_url(w)) == MEETINGS
    stored = set()
    for view in await views(w):
        assert view.meeting.dispatch_state is DispatchState.BOOKED, view.meeting
        assert view.bot is not None
        assert view.bot.mavera_id is not None
        stored.add(view.bot.mavera_id)
    assert stored == kept
    live = {bot.id for bot in w.sim.state.bots if bot.cancelled_at is None}
    assert stored == live, "the bots the store keeps are exactly the live ones"
