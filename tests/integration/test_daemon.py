"""The daemon's use cases against the simulator and a real store: exactly one bot, to done."""

from __future__ import annotations

import asyncio
from contextlib import suppress
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from service.cli.views import explanation
from service.config import Settings
from service.core.dispatch.states import DispatchState
from service.core.model import BotStatus, RemoteBot
from service.core.ports import BotApi
from service.simulator import Faults
from tests.conftest import T0
from tests.factories import import_rows
from tests.fakes.clock import FakeClock
from tests.integration.world import FAST, SETTINGS, bots_per_url, dispatch_all, rows, views, world


async def test_meetings_get_one_bot_each_on_time_and_reach_done(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(5, start=T0 + timedelta(hours=2)), clock
        )
        assert await dispatch_all(w) == 0  # nothing is due two hours ahead
        clock.set(T0 + timedelta(hours=2) - timedelta(minutes=11))
        assert await dispatch_all(w) == 1  # only the first is inside its dispatch lead
        clock.set(T0 + timedelta(hours=2, minutes=4) - timedelta(minutes=11))
        assert await dispatch_all(w) == 4
        assert all(n == 1 for n in bots_per_url(w).values())
        assert len(bots_per_url(w)) == 5
        for view, sim_bot in zip(await views(w), w.sim.state.bots, strict=True):
            assert sim_bot.requested_join_at == view.meeting.start_at - timedelta(seconds=60)
            assert view.bot is not None
            assert view.bot.mavera_id == sim_bot.id
        while clock.now() < T0 + timedelta(hours=3):
            clock.advance(5)
            await w.daemon.tracker.refresh_due()
        for view in await views(w):
            full = await w.daemon.meetings.view(view.meeting.id)
            assert full.bot is not None
            assert full.bot.status == BotStatus.DONE
            seen = [change.status for change in full.history]
            assert seen[0] == "pending"
            assert seen[-1] == "done"
            assert "in_call_recording" in seen  # short stays between polls may be skipped
            assert full.bot.next_check_at is None  # terminal: never read again


async def test_a_timer_fired_twice_sends_one_bot(engine: AsyncEngine, clock: FakeClock) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(8, start=T0 + timedelta(minutes=2)), clock
        )
        sent = await asyncio.gather(*(w.daemon.dispatcher.dispatch_due() for _ in range(3)))
        assert sum(sent) == 8
        assert len(w.sim.state.bots) == 8
        assert set(bots_per_url(w).values()) == {1}


class CrashAfterCreate:
    """A process that dies after Mavera made the bot but before it could record it."""

    def __init__(self, api: BotApi) -> None:
        self.api = api

    async def create_bot(self, **kwargs: object) -> RemoteBot:
        await self.api.create_bot(**kwargs)  # type: ignore[arg-type]
        raise asyncio.CancelledError


async def test_restart_mid_dispatch_sends_no_second_bot(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(3, start=T0 + timedelta(minutes=5)), clock
        )
        dispatcher = w.daemon.dispatcher
        real_api = dispatcher._api
        dispatcher._api = CrashAfterCreate(real_api)  # type: ignore[assignment]
        with suppress(asyncio.CancelledError):
            await dispatcher.dispatch_due()
        assert len(w.sim.state.bots) >= 1
        # The restart: a new daemon on the same database (SQLite start-up expires every claim).
        dispatcher._api = real_api
        assert await w.daemon.dispatch.expire_leases(now=clock.now(), all_claims=True) == 3
        assert {v.meeting.dispatch_state for v in await views(w)} == {DispatchState.AMBIGUOUS}
        await dispatch_all(w)
        assert len(w.sim.state.bots) == 3
        assert set(bots_per_url(w).values()) == {1}
        sim_ids = {bot.id for bot in w.sim.state.bots}
        assert {v.bot.mavera_id for v in await views(w) if v.bot} == sim_ids


async def test_a_5xx_after_create_is_adopted_not_resent(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(
        engine, clock, SETTINGS, durations=FAST, faults=Faults(error_after_create_rate=1.0)
    ) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(2, start=T0 + timedelta(minutes=5)), clock
        )
        await dispatch_all(w)
        assert {v.meeting.dispatch_state for v in await views(w)} == {DispatchState.AMBIGUOUS}
        w.sim.state.faults = Faults()
        assert await dispatch_all(w) == 0  # settling: the server may still be working
        clock.advance(SETTINGS.mavera.request_timeout.total_seconds() * 2)
        assert await dispatch_all(w) == 0  # nothing re-created: both were found and adopted
        assert len(w.sim.state.bots) == 2
        states = {
            (v.meeting.dispatch_state, v.bot.attempts if v.bot else 0) for v in await views(w)
        }
        assert states == {(DispatchState.BOOKED, 1)}


async def test_an_ambiguous_create_that_made_nothing_is_sent_again(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST, faults=Faults(error_rate=1.0)) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(1, start=T0 + timedelta(minutes=5)), clock
        )
        await dispatch_all(w)
        assert len(w.sim.state.bots) == 0
        w.sim.state.faults = Faults()
        clock.advance(60)
        assert await dispatch_all(w) == 1
        [view] = await views(w)
        assert view.meeting.dispatch_state is DispatchState.BOOKED
        assert view.bot is not None
        assert view.bot.attempts == 2
        assert len(w.sim.state.bots) == 1


async def test_out_of_credits_pauses_dispatching_instead_of_failing_meetings(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST, credits=0) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(4, start=T0 + timedelta(minutes=5)), clock
        )
        await dispatch_all(w)
        assert await w.daemon.budget.paused(clock.now()) is not None
        creates = [r for r in w.sim.state.requests if r.method == "POST"]
        assert len(creates) <= SETTINGS.scheduler.batch_size
        assert {v.meeting.dispatch_state for v in await views(w)} == {DispatchState.WAITING}
        assert await w.daemon.dispatcher.dispatch_due() == 0  # paused: nothing is even tried


async def test_a_meeting_that_already_ended_is_not_dispatched(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(1, start=T0 - timedelta(hours=1)), clock
        )
        assert await dispatch_all(w) == 0  # never due: the rules skip a finished meeting
        [view] = await views(w)
        assert view.meeting.dispatch_state is DispatchState.SKIPPED
        assert view.meeting.decision_reason == "ended"
        assert len(w.sim.state.bots) == 0


async def test_a_meeting_that_ends_while_waiting_is_failed_not_sent(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(1, start=T0 + timedelta(hours=1)), clock
        )
        clock.advance(3 * 3600)  # the daemon was down for the whole meeting
        assert await dispatch_all(w) == 1  # handled: failed, not sent
        [view] = await views(w)
        assert view.meeting.dispatch_state is DispatchState.FAILED
        assert view.meeting.last_error == "the meeting ended before a bot could be booked"
        assert len(w.sim.state.bots) == 0


async def test_a_bot_mavera_lost_fails_its_meeting_after_a_second_404(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(1, start=T0 + timedelta(minutes=5)), clock
        )
        await dispatch_all(w)
        [sim_bot] = w.sim.state.bots
        assert w.sim.state.delete_bot(sim_bot.id) is not None
        clock.advance(600)
        assert await w.daemon.tracker.refresh_due() == 1
        [view] = await views(w)  # one 404 is not proof yet: read again a little later
        assert view.meeting.dispatch_state is DispatchState.BOOKED
        assert view.bot is not None
        assert view.bot.last_error_code == "not_found"
        assert view.bot.next_check_at == clock.now() + timedelta(minutes=3)
        clock.advance(179)
        assert await w.daemon.tracker.refresh_due() == 0
        clock.advance(1)
        assert await w.daemon.tracker.refresh_due() == 1
        full = await w.daemon.meetings.view(view.meeting.id)
        message = f"bot {sim_bot.id} no longer exists at Mavera (404)"
        assert full.meeting.dispatch_state is DispatchState.FAILED
        assert full.meeting.last_error == message
        assert full.bot is not None
        assert (full.bot.active, full.bot.next_check_at) == (False, None)
        assert [(e.kind, e.detail) for e in full.events][-2:] == [
            ("lost", message),
            ("state", "booked -> failed"),
        ]
        lines = explanation(full)["lines"]  # what `autojoin meetings explain` prints
        assert f"  error      {message}" in lines
        assert any(line.endswith(f" lost: {message}") for line in lines)
        clock.advance(600)
        assert await w.daemon.tracker.refresh_due() == 0  # never read again
        assert await dispatch_all(w) == 0  # and no second bot is sent by itself
        assert len(w.sim.state.bots) == 0


async def test_a_bot_found_again_after_one_404_is_tracked_as_before(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    async with world(engine, clock, SETTINGS, durations=FAST) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(1, start=T0 + timedelta(minutes=5)), clock
        )
        await dispatch_all(w)
        [sim_bot] = w.sim.state.bots
        w.sim.state.delete_bot(sim_bot.id)
        clock.advance(600)
        assert await w.daemon.tracker.refresh_due() == 1
        w.sim.state._bots[sim_bot.id] = sim_bot  # that read came too early: it is back
        clock.advance(180)
        assert await w.daemon.tracker.refresh_due() == 1
        [view] = await views(w)
        assert view.meeting.dispatch_state is DispatchState.BOOKED
        assert view.bot is not None
        assert (view.bot.last_error_code, view.bot.last_error_message) == (None, None)
        assert view.bot.status == sim_bot.status_at(clock.now()).value != "pending"


async def test_a_create_is_never_sent_after_its_claim_could_expire(
    engine: AsyncEngine, clock: FakeClock
) -> None:
    # One request a minute and a 20 s claim lease: the second create cannot get a slot
    # while its claim is safe, so it must not be sent late (its answer would lose the fence).
    tight = Settings.model_validate(
        {
            "mavera": {"requests_per_minute": 1, "timeout_seconds": 2},
            "scheduler": {"lease_seconds": 20},
        }
    )
    async with world(engine, clock, tight, durations=FAST, rpm=1) as w:
        await import_rows(
            w.settings, w.daemon.engine, rows(2, start=T0 + timedelta(minutes=5)), clock
        )
        assert await w.daemon.dispatcher.dispatch_due() == 1
        assert await w.daemon.dispatcher.dispatch_due() == 1  # handled: handed back, not sent
        assert clock.now() == T0  # it did not sit on its claim waiting for the budget
        sent_first = len(w.sim.state.bots)
        second = (await views(w))[1].meeting
        assert second.dispatch_state is DispatchState.WAITING
        assert second.last_error == "no room in the request budget before the send-by time"
        clock.advance(61)
        await dispatch_all(w)
        assert (sent_first, len(w.sim.state.bots)) == (1, 2)
        assert set(bots_per_url(w).values()) == {1}
        assert [r.status for r in w.sim.state.requests].count(429) == 0
