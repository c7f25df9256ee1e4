"""Cancel a meeting's bot and retry a failed dispatch (the HTTP API's operations): each goes
through the dispatcher's claims and the request budget, and sends exactly one request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.feeds.parsing import ThreadParser
from service.composition import UseCases, use_cases
from service.core.dispatch.states import DispatchState
from service.core.errors import DispatchNotFailed, MeetingNotFound
from service.core.model import MeetingView
from service.simulator import Simulator
from service.usecases.cancel_bot import Cancel
from tests.conftest import T0
from tests.factories import import_rows
from tests.fakes.clock import FakeClock
from tests.integration.world import FAST, SETTINGS, World, dispatch_all, rows, world


@asynccontextmanager
async def operations(w: World[FakeClock]) -> AsyncIterator[UseCases]:
    async with aiohttp.ClientSession() as feeds:
        yield use_cases(
            w.settings, engine=w.daemon.engine, clock=w.clock, feeds=feeds, parser=ThreadParser()
        )


def requests(sim: Simulator, suffix: str) -> int:
    return sum(1 for r in sim.requests if r.method == "POST" and r.route.endswith(suffix))


async def only_view(w: World[FakeClock]) -> MeetingView:
    [view] = await w.daemon.meetings.views()
    return await w.daemon.meetings.view(view.meeting.id)


async def test_cancelling_a_booked_bot_cancels_it_once_through_the_dispatcher(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w, operations(w) as uses:
        await import_rows(w.settings, engine, rows(1, start=T0 + timedelta(hours=1)), clock)
        clock.set(T0 + timedelta(hours=1) - timedelta(minutes=11))
        await dispatch_all(w)
        free = await w.daemon.budget.free_for_writes(clock.now())
        cancelled = await uses.cancel_bot((await only_view(w)).meeting.id)
        assert cancelled.cancel is Cancel.CANCELLING
        meeting = cancelled.view.meeting
        assert (meeting.dispatch_state, meeting.wanted, meeting.override) == (
            DispatchState.STALE,
            False,
            "skip",
        )
        assert w.sim.state.bots[0].cancelled_at is None  # sent by a dispatch pass only
        assert await dispatch_all(w) == 1
        assert w.sim.state.bots[0].cancelled_at == clock.now()
        assert await w.daemon.budget.free_for_writes(clock.now()) == free - 1  # budgeted
        view = await only_view(w)
        assert view.meeting.dispatch_state is DispatchState.SKIPPED
        assert [e.kind for e in view.events][-2:] == ["cancelled", "skipped"]
        assert await dispatch_all(w) == 0
        assert (requests(w.sim.state, "/cancel"), len(w.sim.state.bots)) == (1, 1)


async def test_a_cancel_inside_the_freeze_window_leaves_the_bot_alone(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w, operations(w) as uses:
        await import_rows(w.settings, engine, rows(1, start=T0 + timedelta(minutes=5)), clock)
        await dispatch_all(w)  # booked; the bot joins in four minutes, inside the freeze
        cancelled = await uses.cancel_bot((await only_view(w)).meeting.id)
        assert cancelled.cancel is Cancel.FROZEN
        assert cancelled.view.meeting.dispatch_state is DispatchState.BOOKED
        assert await dispatch_all(w) == 0
        assert requests(w.sim.state, "/cancel") == 0


async def test_a_cancel_before_any_bot_means_none_is_ever_sent(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w, operations(w) as uses:
        await import_rows(w.settings, engine, rows(1, start=T0 + timedelta(hours=1)), clock)
        cancelled = await uses.cancel_bot((await only_view(w)).meeting.id)
        assert cancelled.cancel is Cancel.NO_BOT
        assert cancelled.view.meeting.dispatch_state is DispatchState.SKIPPED
        clock.set(T0 + timedelta(hours=1))
        assert await dispatch_all(w) == 0
        assert w.sim.state.bots == ()
        with pytest.raises(MeetingNotFound):
            await uses.cancel_bot(999)


async def test_a_dispatch_failed_by_a_lost_bot_is_retried_and_booked_once(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w, operations(w) as uses:
        start = T0 + timedelta(minutes=30)
        await import_rows(w.settings, engine, rows(1, start=start, minutes=60), clock)
        clock.set(start - timedelta(minutes=11))
        await dispatch_all(w)
        [lost] = w.sim.state.bots
        w.sim.state.delete_bot(lost.id)
        for seconds in (600, 180):  # a 404, and another three minutes later: the bot is lost
            clock.advance(seconds)
            assert await w.daemon.tracker.refresh_due() == 1
        failed = await only_view(w)
        assert failed.meeting.dispatch_state is DispatchState.FAILED
        retried = await uses.retry_dispatch(failed.meeting.id)
        assert retried.meeting.dispatch_state is DispatchState.WAITING
        assert retried.meeting.dispatch_at == clock.now()  # due at once
        assert [(e.kind, e.detail) for e in retried.events][-2:] == [
            ("retry", "a new dispatch was asked for"),
            ("state", "failed -> waiting"),
        ]
        assert await dispatch_all(w) == 1
        [again] = w.sim.state.bots
        booked = await only_view(w)
        assert booked.meeting.dispatch_state is DispatchState.BOOKED
        assert booked.bot is not None
        assert booked.bot.mavera_id == again.id != lost.id
        assert await dispatch_all(w) == 0
        with pytest.raises(DispatchNotFailed, match="is booked, not failed"):
            await uses.retry_dispatch(failed.meeting.id)
        with pytest.raises(MeetingNotFound):
            await uses.retry_dispatch(999)


async def test_retrying_a_meeting_that_is_over_fails_it_again_without_a_request(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w, operations(w) as uses:
        await import_rows(w.settings, engine, rows(1, start=T0 + timedelta(hours=1)), clock)
        clock.advance(3 * 3600)
        await dispatch_all(w)
        failed = await only_view(w)
        assert failed.meeting.dispatch_state is DispatchState.FAILED
        retried = await uses.retry_dispatch(failed.meeting.id)
        assert retried.meeting.dispatch_state is DispatchState.WAITING
        assert await dispatch_all(w) == 1  # handled: given up again, not sent
        after = await only_view(w)
        assert after.meeting.dispatch_state is DispatchState.FAILED
        assert after.meeting.last_error == "the meeting ended before a bot could be booked"
        assert w.sim.state.requests == []
