"""Rebooking on the memory store with a fake Mavera API: a booked bot that no longer fits its
meeting is cancelled and booked again, left alone inside the freeze window, and kept when
Mavera refuses to cancel it while it runs."""

from __future__ import annotations

from datetime import timedelta

from service.adapters.local_budget import LocalBudget
from service.adapters.memory import MemoryStore
from service.core.dispatch.states import DispatchState
from service.core.errors import MaveraError, MaveraRejected
from service.core.model import BotStatus
from service.usecases.dispatch import Dispatcher
from tests.conftest import T0
from tests.factories import upsert
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.clock import FakeClock
from tests.unit.usecases.support import START, dispatcher, meeting, seed

LATER = START + timedelta(hours=1)
REFUSED = MaveraRejected("the bot is in the call", status=409, code="bot_running")


async def booked_then_moved(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> tuple[int, Dispatcher]:
    """A meeting booked with bot_1, then moved an hour later (outside the freeze window)."""
    [meeting_id] = await seed(memory)
    worker = dispatcher(memory, api, budget, clock)
    await worker.dispatch_due()
    await upsert(memory.sources, [meeting(start_at=LATER)], now=clock.now())
    view = await memory.meetings.view(meeting_id)
    assert (view.meeting.dispatch_state, view.meeting.dispatch_at) == (DispatchState.STALE, T0)
    return meeting_id, worker


async def test_a_moved_meeting_gets_its_bot_cancelled_and_a_new_one(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    meeting_id, worker = await booked_then_moved(memory, api, budget, clock)
    assert await worker.dispatch_due() == 2  # the cancel and the new create
    view = await memory.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.BOOKED
    assert view.bot is not None
    assert (view.bot.mavera_id, view.bot.join_at) == ("bot_2", LATER - timedelta(seconds=60))
    bookings = [(b.mavera_id, b.active, b.status) for b in memory.bookings(meeting_id)]
    assert bookings == [("bot_1", False, "cancelled"), ("bot_2", True, "pending")]
    assert api.live() == ["bot_2"]


async def test_a_change_inside_the_freeze_window_keeps_the_booked_bot(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    meeting_id, worker = await booked_then_moved(memory, api, budget, clock)
    clock.set(START - timedelta(minutes=5))  # four minutes before bot_1 joins
    assert await worker.dispatch_due() == 1
    view = await memory.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.BOOKED
    assert view.bot is not None
    assert view.bot.mavera_id == "bot_1"
    assert view.events[-1].kind == "frozen"
    assert (api.count("cancel"), api.count("create")) == (0, 1)


async def test_a_refused_cancel_of_a_running_bot_keeps_it(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    meeting_id, worker = await booked_then_moved(memory, api, budget, clock)
    api.set_status("bot_1", BotStatus.IN_CALL_RECORDING)
    api.fail_cancels.append(REFUSED)
    await worker.dispatch_due()
    view = await memory.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.BOOKED
    assert view.bot is not None
    assert (view.bot.mavera_id, view.bot.active) == ("bot_1", True)
    assert view.events[-1].kind == "frozen"
    assert "Mavera refused the cancel" in view.events[-1].detail
    assert api.live() == ["bot_1"]
    assert await worker.dispatch_due() == 0  # settled: nothing is sent again


async def test_a_refused_cancel_of_a_finished_bot_closes_it_and_books_again(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    meeting_id, worker = await booked_then_moved(memory, api, budget, clock)
    api.set_status("bot_1", BotStatus.DONE)
    api.fail_cancels.append(REFUSED)
    await worker.dispatch_due()
    view = await memory.meetings.view(meeting_id)
    assert view.bot is not None
    assert (view.meeting.dispatch_state, view.bot.mavera_id) == (DispatchState.BOOKED, "bot_2")
    first = memory.bookings(meeting_id)[0]
    assert (first.mavera_id, first.status, first.active) == ("bot_1", "done", False)


async def test_a_failed_cancel_is_tried_again_later(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    meeting_id, worker = await booked_then_moved(memory, api, budget, clock)
    api.fail_cancels.append(MaveraError("connection reset"))  # it may not have happened
    await worker.dispatch_due()
    view = await memory.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.STALE
    assert view.meeting.dispatch_at == T0 + timedelta(seconds=30)
    clock.advance(30)
    await worker.dispatch_due()
    assert api.live() == ["bot_2"]
