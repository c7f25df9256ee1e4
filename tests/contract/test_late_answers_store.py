"""Late answers at the store: the first bot written to a booking is the meeting's bot; any
other is recorded as a duplicate before it may be cancelled, and a bot a booking holds can
never be recorded as a duplicate (on every backend, also under concurrency)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from service.core.dispatch.claims import Claim, Created, Duplicate, Intent, Recorded
from service.core.dispatch.states import DispatchState
from service.core.ports import DispatchStore
from tests.backends import Stores
from tests.conftest import T0
from tests.contract.test_dispatch_store import DUE, LEASE, remote, seed, state_of
from tests.factories import planned, upsert

LATER = DUE + LEASE + timedelta(seconds=1)


async def record(store: DispatchStore, intent: Intent, mavera_id: str) -> Recorded:
    created = Created(bot=remote(mavera_id), next_check_at=None, track_until=LATER)
    return await store.record_created(intent, created, now=LATER)


async def lost_claim(stores: Stores) -> tuple[int, DispatchStore, Intent]:
    """A worker claimed and sent; its lease ran out before the answer came."""
    [meeting_id] = await seed(stores)
    slow = stores.dispatch("slow")
    [intent] = (await slow.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    assert await slow.expire_leases(now=LATER) == 1
    return meeting_id, slow, intent


async def taken_over(stores: Stores) -> tuple[int, Intent, DispatchStore, Claim]:
    """...and another worker has claimed the meeting to reconcile it."""
    meeting_id, _slow, intent = await lost_claim(stores)
    fast = stores.dispatch("fast")
    [claim] = (await fast.claim_due(now=LATER, limit=1, lease=LEASE)).reconcile
    return meeting_id, intent, fast, claim


async def rows(stores: Stores, meeting_id: int) -> dict[str, tuple[bool, str | None]]:
    """Mavera id -> (active, last error code) of every booking of the meeting with a bot."""
    return {
        bot.mavera_id: (bot.active, bot.last_error_code)
        for bot in await stores.meetings.bookings(meeting_id)
        if bot.mavera_id is not None
    }


async def stored_bot(stores: Stores, meeting_id: int) -> str | None:
    view = await stores.meetings.view(meeting_id)
    return view.bot.mavera_id if view.bot else None


async def test_a_late_answer_books_a_meeting_nobody_holds(stores: Stores) -> None:
    meeting_id, slow, intent = await lost_claim(stores)
    assert await record(slow, intent, "bot_a") is Recorded.STORED
    assert await state_of(stores, meeting_id) is DispatchState.BOOKED
    assert await stored_bot(stores, meeting_id) == "bot_a"
    # Nothing is left to reconcile or send.
    fast = stores.dispatch("fast")
    batch = await fast.claim_due(now=LATER + timedelta(hours=1), limit=5, lease=LEASE)
    assert (batch.intents, batch.reconcile, batch.changes) == ((), (), ())


async def test_a_late_answer_while_another_worker_reconciles_is_kept(stores: Stores) -> None:
    meeting_id, intent, fast, claim = await taken_over(stores)
    slow = stores.dispatch("slow")
    assert await record(slow, intent, "bot_a") is Recorded.STORED
    assert await state_of(stores, meeting_id) is DispatchState.CLAIMED  # fast still holds it
    # The reconciler found the same bot in Mavera's list and adopts it: no duplicate.
    adopted = replace(intent, claim=claim)
    assert await record(fast, adopted, "bot_a") is Recorded.STORED
    assert await state_of(stores, meeting_id) is DispatchState.BOOKED
    assert await rows(stores, meeting_id) == {"bot_a": (True, None)}


async def test_a_reconciler_that_finds_the_booking_filled_sends_nothing(
    stores: Stores,
) -> None:
    meeting_id, intent, fast, claim = await taken_over(stores)
    slow = stores.dispatch("slow")
    assert await record(slow, intent, "bot_a") is Recorded.STORED
    batch = await fast.intend([claim], now=LATER)  # its list had not shown bot_a yet
    assert batch.intents == ()
    assert await state_of(stores, meeting_id) is DispatchState.BOOKED
    assert await stored_bot(stores, meeting_id) == "bot_a"


async def test_the_second_bot_of_a_booking_is_recorded_as_a_duplicate(
    stores: Stores,
) -> None:
    meeting_id, intent, fast, claim = await taken_over(stores)
    [again] = (await fast.intend([claim], now=LATER)).intents
    slow = stores.dispatch("slow")
    assert await record(slow, intent, "bot_a") is Recorded.STORED
    assert await record(fast, again, "bot_b") is Recorded.DUPLICATE
    assert await state_of(stores, meeting_id) is DispatchState.BOOKED
    assert await stored_bot(stores, meeting_id) == "bot_a"
    assert await rows(stores, meeting_id) == {
        "bot_a": (True, None),
        "bot_b": (False, "duplicate"),
    }
    # A duplicate is known: no reconciliation can adopt it.
    assert await fast.known_mavera_ids(["bot_b"]) == {"bot_b"}


async def test_a_bot_a_booking_holds_cannot_be_disowned(stores: Stores) -> None:
    meeting_id, slow, intent = await lost_claim(stores)
    assert await record(slow, intent, "bot_a") is Recorded.STORED
    assert not await disown(slow, meeting_id, "bot_a")
    assert await rows(stores, meeting_id) == {"bot_a": (True, None)}


async def test_adopting_a_disowned_bot_reconciles_again(stores: Stores) -> None:
    meeting_id, intent, fast, claim = await taken_over(stores)
    assert await disown(fast, meeting_id, "bot_a")  # the extra bot another pass cancels
    adopted = replace(intent, claim=claim)
    assert await record(fast, adopted, "bot_a") is Recorded.DISOWNED
    view = await stores.meetings.view(meeting_id)
    assert view.meeting.dispatch_state is DispatchState.AMBIGUOUS
    assert view.meeting.dispatch_at == LATER
    assert view.bot is not None
    assert view.bot.mavera_id is None


async def test_an_expired_claim_on_a_filled_booking_is_booked_not_stale(
    stores: Stores,
) -> None:
    meeting_id, intent, fast, _claim = await taken_over(stores)
    slow = stores.dispatch("slow")
    assert await record(slow, intent, "bot_a") is Recorded.STORED
    # fast dies holding its claim: the bot fits the meeting, so nothing is cancelled.
    assert await fast.expire_leases(now=LATER + LEASE * 2) == 1
    assert await state_of(stores, meeting_id) is DispatchState.BOOKED


async def test_racing_answers_for_one_booking_keep_exactly_one_bot(stores: Stores) -> None:
    for round_ in range(10):
        meeting_id, intent, fast, claim = await taken_over_again(stores, round_)
        [again] = (await fast.intend([claim], now=LATER)).intents
        slow = stores.dispatch("slow")
        outcomes = await asyncio.gather(
            record(slow, intent, f"a{round_}"), record(fast, again, f"b{round_}")
        )
        assert sorted(outcomes) == sorted([Recorded.STORED, Recorded.DUPLICATE])
        kept = await stored_bot(stores, meeting_id)
        assert kept == (f"a{round_}" if outcomes[0] is Recorded.STORED else f"b{round_}")
        assert await state_of(stores, meeting_id) is DispatchState.BOOKED


async def test_racing_adoption_and_disowning_never_both_win(stores: Stores) -> None:
    for round_ in range(10):
        meeting_id, intent, fast, claim = await taken_over_again(stores, round_)
        other = stores.dispatch("other")
        adopted = replace(intent, claim=claim)
        recorded, disowned = await asyncio.gather(
            record(fast, adopted, f"x{round_}"), disown(other, meeting_id, f"x{round_}")
        )
        # Exactly one of the two: the bot is the meeting's, or it is a duplicate to cancel.
        assert (recorded is Recorded.STORED) != disowned, (recorded, disowned)


async def disown(store: DispatchStore, meeting_id: int, mavera_id: str) -> bool:
    duplicate = Duplicate(
        meeting_id=meeting_id,
        bot=remote(mavera_id),
        meeting_url="https://acme.zoom.us/j/1",
        join_at=T0,
    )
    return await store.disown(duplicate, now=LATER)


async def taken_over_again(stores: Stores, round_: int) -> tuple[int, Intent, DispatchStore, Claim]:
    """``taken_over`` once more in the same database: each round's meeting starts a minute
    before the previous one, so its deadline comes first and it is the one claimed."""
    if round_ == 0:
        return await taken_over(stores)
    start = T0 + timedelta(minutes=10 - round_)
    await upsert(stores.sources, [planned(start_at=start)], now=T0)
    slow = stores.dispatch("slow")
    [intent] = (await slow.claim_due(now=DUE, limit=1, lease=LEASE)).intents
    assert await slow.expire_leases(now=LATER) == 1
    fast = stores.dispatch("fast")
    [claim] = (await fast.claim_due(now=LATER, limit=1, lease=LEASE)).reconcile
    assert claim.meeting_id == intent.claim.meeting_id
    return claim.meeting_id, intent, fast, claim
