"""Tracker on the memory store with a fake Mavera API: due bots read from a list page when
that is cheaper, one by one otherwise; terminal bots never again; two 404s and a bot is lost."""

from __future__ import annotations

from datetime import datetime, timedelta

from service.adapters.local_budget import LocalBudget
from service.adapters.memory import MemoryStore
from service.core.dispatch.states import DispatchState
from service.core.model import BotStatus
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.clock import FakeClock
from tests.unit.usecases.support import START, dispatcher, meeting, seed, tracker

CONFIRM = timedelta(minutes=3)


async def booked(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock, count: int = 1
) -> datetime:
    """``count`` meetings booked (bot_1, bot_2, ...); when their first read is due."""
    items = [
        meeting(key=f"uid-{i}", url=f"https://acme.zoom.us/j/8123456789{i}") for i in range(count)
    ]
    await seed(memory, *items)
    await dispatcher(memory, api, budget, clock).dispatch_due()
    checks = [bot.next_check_at for bot in memory.bookings() if bot.next_check_at is not None]
    assert len(checks) == count
    return max(checks)


async def test_a_due_bot_is_read_alone_and_its_change_kept_in_its_history(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    due = await booked(memory, api, budget, clock)
    api.set_status("bot_1", BotStatus.JOINING_CALL)
    reader = tracker(memory, api, clock)
    clock.set(due - timedelta(seconds=1))
    assert await reader.refresh_due() == 0  # not due yet
    clock.set(due)
    assert await reader.refresh_due() == 1
    [view] = await memory.meetings.views()
    full = await memory.meetings.view(view.meeting.id)
    assert full.bot is not None
    assert (full.bot.status, full.bot.status_changed_at) == (BotStatus.JOINING_CALL, due)
    assert [change.status for change in full.history] == ["pending", "joining_call"]
    assert (api.count("get"), api.count("list")) == (1, 0)


async def test_many_due_bots_are_read_from_one_list_page(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    due = await booked(memory, api, budget, clock, count=3)
    for mavera_id in api.bots:
        api.set_status(mavera_id, BotStatus.IN_WAITING_ROOM)
    clock.set(due)
    assert await tracker(memory, api, clock).refresh_due() == 3
    assert {bot.status for bot in memory.bookings()} == {BotStatus.IN_WAITING_ROOM}
    assert (api.count("list"), api.count("get")) == (1, 0)


async def test_a_terminal_bot_is_never_read_again(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    due = await booked(memory, api, budget, clock)
    api.set_status("bot_1", BotStatus.DONE)
    reader = tracker(memory, api, clock)
    clock.set(due)
    await reader.refresh_due()
    [bot] = memory.bookings()
    assert (bot.status, bot.next_check_at) == (BotStatus.DONE, None)
    clock.set(START + timedelta(days=1))
    assert await reader.refresh_due() == 0
    assert api.count("get") == 1


async def test_two_404s_some_minutes_apart_lose_the_bot_and_fail_its_meeting(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    due = await booked(memory, api, budget, clock)
    del api.bots["bot_1"]
    reader = tracker(memory, api, clock)
    clock.set(due)
    await reader.refresh_due()
    [bot] = memory.bookings()
    assert (bot.last_error_code, bot.next_check_at) == ("not_found", due + CONFIRM)
    [view] = await memory.meetings.views()
    assert view.meeting.dispatch_state is DispatchState.BOOKED  # one 404 may be a race
    clock.set(due + CONFIRM)
    await reader.refresh_due()
    full = await memory.meetings.view(view.meeting.id)
    assert full.meeting.dispatch_state is DispatchState.FAILED
    assert full.bot is not None
    assert (full.bot.active, full.bot.next_check_at) == (False, None)
    assert [event.kind for event in full.events][-2:] == ["lost", "state"]
    assert await reader.refresh_due() == 0
    assert api.count("get") == 2
