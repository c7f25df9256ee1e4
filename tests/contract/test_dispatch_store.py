"""The dispatch store contract on every backend (memory, SQLite, PostgreSQL): exclusive claims,
intents, fenced outcomes."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from service.core.dispatch.claims import Claim, ClaimBatch, Created, Recorded
from service.core.dispatch.states import DispatchState
from service.core.model import RemoteBot
from tests.backends import Stores
from tests.conftest import T0
from tests.contract.internals import insert_active_booking, insert_status_change, status_changes
from tests.factories import planned, upsert

LEASE = timedelta(seconds=90)
DUE = T0 + timedelta(minutes=5)  # seeded meetings dispatch at T0-1min, T0, T0+1min, ...


def remote(mavera_id: str = "meeting_abc", status: str = "pending") -> RemoteBot:
    return RemoteBot(
        mavera_id=mavera_id, status=status, meeting_url=None, join_at=None, created_at=None
    )


async def seed(stores: Stores, n: int = 1) -> list[int]:
    items = [planned(start_at=T0 + timedelta(minutes=10 + i)) for i in range(n)]
    await upsert(stores.sources, items, now=T0)
    return [view.meeting.id for view in await stores.meetings.views()]


async def state_of(stores: Stores, meeting_id: int) -> DispatchState:
    return (await stores.meetings.view(meeting_id)).meeting.dispatch_state


async def test_nothing_is_claimed_before_its_dispatch_time(stores: Stores) -> None:
    await upsert(stores.sources, [planned(start_at=T0 + timedelta(hours=2))], now=T0)
    store = stores.dispatch("w1")
    assert await store.claim_due(now=T0, limit=10, lease=LEASE) == ClaimBatch()


async def test_claims_come_in_deadline_order_up_to_the_limit(stores: Stores) -> None:
    ids = await seed(stores, 3)
    store = stores.dispatch("w1")
    batch = await store.claim_due(now=DUE, limit=2, lease=LEASE)
    assert [i.claim.meeting_id for i in batch.intents] == ids[:2]
    assert (batch.reconcile, batch.given_up) == ((), ())
    assert all(not i.claim.reconcile and i.claim.pending_bot is None for i in batch.intents)
    assert await state_of(stores, ids[0]) is DispatchState.CLAIMED
    assert await state_of(stores, ids[2]) is DispatchState.WAITING


async def test_concurrent_claimers_never_share_a_meeting(stores: Stores) -> None:
    await seed(stores, 30)
    workers = [stores.dispatch(f"w{i}") for i in range(4)]
    results = await asyncio.gather(
        *(w.claim_due(now=T0 + timedelta(minutes=30), limit=10, lease=LEASE) for w in workers)
    )
    claimed = [i.claim.meeting_id for batch in results for i in batch.intents]
    assert len(claimed) == len(set(claimed)) == 30


async def test_intent_is_committed_before_sending(stores: Stores) -> None:
    [meeting_id] = await seed(stores)
    store = stores.dispatch("w1")
    [intent] = (await store.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    view = await stores.meetings.view(meeting_id)
    assert view.bot is not None
    assert view.bot.id == intent.bot_id
    assert view.bot.active
    assert view.bot.mavera_id is None
    assert view.bot.attempts == 1
    assert view.bot.requested_at == DUE
    assert view.bot.join_at == view.meeting.join_at
    assert view.bot.meeting_url == view.meeting.meeting_url


async def test_a_second_active_booking_for_one_meeting_is_refused(stores: Stores) -> None:
    [meeting_id] = await seed(stores)
    store = stores.dispatch("w1")
    [intent] = (await store.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    with pytest.raises(stores.integrity_error):
        await insert_active_booking(
            stores, meeting_id, meeting_url=intent.meeting_url, join_at=intent.join_at, now=DUE
        )


async def test_created_bot_is_stored_with_history(stores: Stores) -> None:
    [meeting_id] = await seed(stores)
    store = stores.dispatch("w1")
    [intent] = (await store.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    check = DUE + timedelta(minutes=1)
    created = Created(bot=remote(), next_check_at=check, track_until=DUE + timedelta(hours=8))
    outcome = await store.record_created(intent, created, now=DUE)
    assert outcome is Recorded.STORED
    view = await stores.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.BOOKED
    assert view.bot is not None
    assert (view.bot.mavera_id, view.bot.status, view.bot.next_check_at) == (
        "meeting_abc",
        "pending",
        check,
    )
    assert [(h.status, h.observed_at) for h in view.history] == [("pending", DUE)]


async def test_outcome_writes_are_fenced_by_the_claim(stores: Stores) -> None:
    [meeting_id] = await seed(stores)
    slow = stores.dispatch("slow")
    [intent] = (await slow.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    later = DUE + LEASE + timedelta(seconds=1)
    assert await slow.expire_leases(now=later) == 1
    assert await state_of(stores, meeting_id) is DispatchState.AMBIGUOUS
    # The slow worker's outcome needs the claim: without it, nothing is written for it...
    await slow.record_ambiguous(intent, now=later, retry_at=later, code="timeout", message="t")
    await slow.release_not_sent(intent, now=later, retry_at=later, code="x", message="x")
    assert await state_of(stores, meeting_id) is DispatchState.AMBIGUOUS
    view = await stores.meetings.view(meeting_id)
    assert view.bot is not None
    assert (view.bot.mavera_id, view.bot.attempts, view.bot.last_error_code) == (None, 1, None)
    # ...and whoever takes the meeting next must reconcile the pending booking first.
    fast = stores.dispatch("fast")
    batch = await fast.claim_due(now=later, limit=1, lease=LEASE)
    assert batch.intents == ()
    [claim] = batch.reconcile
    assert claim.reconcile
    assert claim.pending_bot is not None
    assert claim.pending_bot.id == intent.bot_id


async def test_a_late_answer_for_an_adopted_bot_is_not_a_duplicate(stores: Stores) -> None:
    await seed(stores)
    slow = stores.dispatch("slow")
    [intent] = (await slow.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    later = DUE + LEASE * 2
    await slow.expire_leases(now=later)
    fast = stores.dispatch("fast")
    [claim] = (await fast.claim_due(now=later, limit=1, lease=LEASE)).reconcile
    adopted = replace(intent, claim=claim)
    created = Created(bot=remote("meeting_same"), next_check_at=None, track_until=later)
    assert await fast.record_created(adopted, created, now=later) is Recorded.STORED
    assert await slow.record_created(intent, created, now=later) is Recorded.STORED


async def test_not_sent_returns_to_waiting_without_counting(stores: Stores) -> None:
    [meeting_id] = await seed(stores)
    store = stores.dispatch("w1")
    [intent] = (await store.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    retry = DUE + timedelta(seconds=7)
    await store.release_not_sent(
        intent, now=DUE, retry_at=retry, code="rate_limit_exceeded", message="slow down"
    )
    view = await stores.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.WAITING
    assert view.meeting.dispatch_at == retry
    assert view.bot is not None
    assert view.bot.attempts == 0
    assert view.bot.active
    assert await store.claim_due(now=DUE, limit=1, lease=LEASE) == ClaimBatch()
    [second] = (await store.claim_due(now=retry, limit=1, lease=LEASE)).intents
    assert second.claim.pending_bot is not None
    assert not second.claim.reconcile
    assert (second.bot_id, second.attempt) == (intent.bot_id, 1)


async def test_rejection_fails_the_meeting_and_closes_the_booking(stores: Stores) -> None:
    [meeting_id] = await seed(stores)
    store = stores.dispatch("w1")
    [intent] = (await store.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    await store.record_rejected(intent, now=DUE, code="invalid_field", message="bad url")
    view = await stores.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.FAILED
    assert view.meeting.last_error == "bad url"
    assert view.bot is not None
    assert not view.bot.active
    assert view.bot.last_error_code == "invalid_field"


async def test_ambiguous_waits_for_settling_then_needs_reconciling(stores: Stores) -> None:
    [meeting_id] = await seed(stores)
    store = stores.dispatch("w1")
    [intent] = (await store.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    settle = DUE + timedelta(seconds=40)
    await store.record_ambiguous(
        intent, now=DUE, retry_at=settle, code="internal_error", message="500"
    )
    assert await state_of(stores, meeting_id) is DispatchState.AMBIGUOUS
    early = await store.claim_due(now=DUE + timedelta(seconds=39), limit=1, lease=LEASE)
    assert early == ClaimBatch()
    [claim] = (await store.claim_due(now=settle, limit=1, lease=LEASE)).reconcile
    assert claim.reconcile
    await store.release(claim, now=settle)
    assert await state_of(stores, meeting_id) is DispatchState.AMBIGUOUS


async def test_startup_of_a_sole_daemon_expires_every_claim(stores: Stores) -> None:
    await seed(stores, 2)
    store = stores.dispatch("dead")
    await store.claim_due(now=DUE, limit=2, lease=LEASE)
    assert await store.expire_leases(now=DUE) == 0
    assert await store.expire_leases(now=DUE, all_claims=True) == 2


async def test_upcoming_lists_the_near_term_window(stores: Stores) -> None:
    ids = await seed(stores, 3)
    store = stores.dispatch("w1")
    window = await store.upcoming(now=T0, until=T0 + timedelta(minutes=1, seconds=30), limit=10)
    assert window == [(ids[2], T0 + timedelta(minutes=1))]


async def test_history_rows_reference_real_bots(stores: Stores) -> None:
    with pytest.raises(stores.integrity_error):
        await insert_status_change(stores, 999, "pending", DUE)
    assert await status_changes(stores) == 0


def test_claim_is_a_value() -> None:
    claim = Claim(
        meeting_id=1,
        token="t",
        title="x",
        meeting_url="u",
        join_at=T0,
        end_at=T0,
        deadline=T0,
        wanted=True,
        prior=DispatchState.WAITING,
        pending_bot=None,
    )
    assert not claim.reconcile
    assert not claim.change
    with pytest.raises(AttributeError):
        claim.token = "other"  # type: ignore[misc]


async def test_a_meeting_that_is_over_is_failed_in_the_claim(stores: Stores) -> None:
    [meeting_id] = await seed(stores)
    store = stores.dispatch("w1")
    batch = await store.claim_due(now=T0 + timedelta(hours=2), limit=5, lease=LEASE)
    assert (batch.intents, batch.given_up) == ((), (meeting_id,))
    view = await stores.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.FAILED
    assert view.meeting.last_error == "the meeting ended before a bot could be booked"
    assert view.bot is None


async def test_intend_after_reconciling_counts_a_new_attempt(stores: Stores) -> None:
    [meeting_id] = await seed(stores)
    store = stores.dispatch("w1")
    [intent] = (await store.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    await store.record_ambiguous(intent, now=DUE, retry_at=DUE, code="timeout", message="late")
    [claim] = (await store.claim_due(now=DUE, limit=1, lease=LEASE)).reconcile
    [again] = (await store.intend([claim], now=DUE)).intents
    assert (again.bot_id, again.attempt, again.requested_at) == (intent.bot_id, 2, DUE)
    view = await stores.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.CLAIMED
