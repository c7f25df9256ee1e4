"""Dispatcher on the memory store with a fake Mavera API: claim, create, not sent, ambiguous
and reconciled, rejected, a late answer's duplicate, and the pause on a refused key."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from service.adapters.local_budget import LocalBudget
from service.adapters.memory import MemoryStore
from service.core.dispatch.states import DispatchState
from service.core.errors import (
    MaveraError,
    MaveraOutcomeUnknown,
    MaveraPaymentRequired,
    MaveraRateLimited,
    MaveraRejected,
    MaveraUnauthorized,
)
from tests.conftest import T0
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.clock import FakeClock
from tests.unit.usecases.support import LEASE, SETTLE, START, dispatcher, meeting, seed


async def test_a_due_meeting_is_claimed_and_gets_exactly_one_bot(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    [meeting_id] = await seed(memory)
    worker = dispatcher(memory, api, budget, clock)
    assert await worker.dispatch_due() == 1
    assert await worker.dispatch_due() == 0
    assert api.calls == [("create", meeting().meeting.meeting_url)]
    view = await memory.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.BOOKED
    assert view.bot is not None
    assert (view.bot.mavera_id, view.bot.attempts, view.bot.status) == ("bot_1", 1, "pending")
    assert view.bot.next_check_at is not None
    assert [event.kind for event in view.events] == ["created", "booked"]


async def test_nothing_is_sent_before_the_dispatch_time(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    await seed(memory, meeting(start_at=T0 + timedelta(hours=2)))
    assert await dispatcher(memory, api, budget, clock).dispatch_due() == 0
    assert api.calls == []


async def test_a_429_sends_nothing_and_the_meeting_waits_for_retry_after(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    [meeting_id] = await seed(memory)
    api.fail_creates.append(MaveraRateLimited("slow down", retry_after=7, code="rate_limited"))
    worker = dispatcher(memory, api, budget, clock)
    assert await worker.dispatch_due() == 1
    view = await memory.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.WAITING
    assert view.meeting.dispatch_at == T0 + timedelta(seconds=7)
    assert view.bot is not None
    assert (view.bot.mavera_id, view.bot.attempts, view.bot.active) == (None, 0, True)
    assert await worker.dispatch_due() == 0  # not before Retry-After
    clock.advance(7)
    assert await worker.dispatch_due() == 1
    booked = await memory.meetings.view(meeting_id)
    assert booked.bot is not None
    assert (booked.meeting.dispatch_state, booked.bot.attempts) == (DispatchState.BOOKED, 1)
    assert api.count("create") == 2
    assert api.live() == ["bot_1"]


async def test_an_ambiguous_create_is_reconciled_and_its_bot_adopted(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    [meeting_id] = await seed(memory)
    api.lose_answers.append(MaveraOutcomeUnknown("timed out after sending", code="timeout"))
    worker = dispatcher(memory, api, budget, clock)
    await worker.dispatch_due()
    view = await memory.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.AMBIGUOUS
    assert view.meeting.dispatch_at == T0 + SETTLE
    assert await worker.dispatch_due() == 0  # the server may still be working on it
    clock.advance(SETTLE.total_seconds())
    assert await worker.dispatch_due() == 0  # adopted: no create was needed
    adopted = await memory.meetings.view(meeting_id)
    assert adopted.meeting.dispatch_state is DispatchState.BOOKED
    assert adopted.bot is not None
    assert adopted.bot.mavera_id == "bot_1"
    assert [event.kind for event in adopted.events][-1] == "adopted"
    assert (api.count("create"), api.count("list"), api.live()) == (1, 1, ["bot_1"])


async def test_an_ambiguous_create_that_made_no_bot_is_sent_again(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    [meeting_id] = await seed(memory)
    api.fail_creates.append(MaveraOutcomeUnknown("502 from the proxy", code="bad_gateway"))
    worker = dispatcher(memory, api, budget, clock)
    await worker.dispatch_due()
    clock.advance(SETTLE.total_seconds())
    assert await worker.dispatch_due() == 1
    view = await memory.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.BOOKED
    assert view.bot is not None
    assert (view.bot.mavera_id, view.bot.attempts) == ("bot_1", 2)
    assert (api.count("list"), api.count("create")) == (1, 2)


async def test_a_rejected_create_fails_the_meeting_and_is_not_sent_again(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    [meeting_id] = await seed(memory)
    api.fail_creates.append(MaveraRejected("bad url", status=422, code="invalid_field"))
    worker = dispatcher(memory, api, budget, clock)
    await worker.dispatch_due()
    clock.advance(3600)
    assert await worker.dispatch_due() == 0
    view = await memory.meetings.view(meeting_id)
    assert (view.meeting.dispatch_state, view.meeting.last_error) == (
        DispatchState.FAILED,
        "bad url",
    )
    assert view.bot is not None
    assert (view.bot.active, view.bot.last_error_code) == (False, "invalid_field")
    assert api.count("create") == 1


async def test_a_late_answer_after_the_lease_ran_out_is_a_duplicate_and_cancelled(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    [meeting_id] = await seed(memory)
    slow = dispatcher(memory, api, budget, clock, worker_id="slow")
    fast = dispatcher(memory, api, budget, clock, worker_id="fast")
    api.hold()
    sending = asyncio.create_task(slow.dispatch_due())
    await api.at_gate.wait()  # slow's create is in flight
    clock.advance(LEASE.total_seconds() + 1)
    assert await memory.dispatch("runner").expire_leases(now=clock.now()) == 1
    assert await fast.dispatch_due() == 1  # reconciles, finds nothing yet, books bot_1
    api.gate.set()
    await sending  # slow's answer (bot_2) comes too late: a duplicate, cancelled
    view = await memory.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.BOOKED
    assert view.bot is not None
    assert view.bot.mavera_id == "bot_1"
    bookings = {b.mavera_id: (b.active, b.last_error_code) for b in memory.bookings(meeting_id)}
    assert bookings == {"bot_1": (True, None), "bot_2": (False, "duplicate")}
    assert ("cancel", "bot_2") in api.calls
    assert api.live() == ["bot_1"]


@pytest.mark.parametrize(
    "refusal",
    [
        MaveraUnauthorized("key revoked", status=401, code="invalid_api_key"),
        MaveraPaymentRequired("credits exhausted", status=402, code="credits_exhausted"),
    ],
    ids=["401", "402"],
)
async def test_a_refused_key_pauses_dispatching_until_the_pause_ends(
    memory: MemoryStore,
    api: FakeBotApi,
    budget: LocalBudget,
    clock: FakeClock,
    refusal: MaveraError,
) -> None:
    [first] = await seed(memory)
    api.fail_creates.append(refusal)
    worker = dispatcher(memory, api, budget, clock)
    await worker.dispatch_due()
    pause = T0 + timedelta(minutes=5)
    assert await budget.paused(clock.now()) == (pause, str(refusal))
    view = await memory.meetings.view(first)
    assert (view.meeting.dispatch_state, view.meeting.dispatch_at) == (DispatchState.WAITING, pause)
    await seed(memory, meeting(key="uid-2", url="https://acme.zoom.us/j/81234567891"))
    assert await worker.dispatch_due() == 0  # paused: the second meeting is not sent either
    assert api.count("create") == 1
    clock.set(pause)
    assert await worker.dispatch_due() == 2
    states = {v.meeting.dispatch_state for v in await memory.meetings.views()}
    assert states == {DispatchState.BOOKED}
    assert len(api.live()) == 2


async def test_a_meeting_that_ended_before_its_turn_is_given_up_without_a_request(
    memory: MemoryStore, api: FakeBotApi, budget: LocalBudget, clock: FakeClock
) -> None:
    [meeting_id] = await seed(memory)
    clock.set(START + timedelta(hours=1))
    assert await dispatcher(memory, api, budget, clock).dispatch_due() == 1
    view = await memory.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.FAILED
    assert api.calls == []
