"""The tracking store contract on every backend: due reads, observations, history."""

from __future__ import annotations

from datetime import datetime, timedelta

from service.core.dispatch.claims import Created
from service.core.dispatch.states import DispatchState
from service.core.model import Observed, RemoteBot
from tests.backends import Stores
from tests.conftest import T0
from tests.factories import planned, upsert

DUE = T0 + timedelta(minutes=1)


async def booked(
    stores: Stores,
    mavera_id: str,
    check_at: datetime | None,
    start_at: datetime = T0 + timedelta(minutes=5),
) -> int:
    await upsert(stores.sources, [planned(start_at=start_at, key=f"k-{mavera_id}")], now=T0)
    store = stores.dispatch("w")
    due = max(DUE, start_at - timedelta(minutes=11))
    [intent] = (await store.claim_due(now=due, limit=1, lease=timedelta(seconds=90))).intents
    remote = RemoteBot(
        mavera_id=mavera_id, status="pending", meeting_url=None, join_at=None, created_at=None
    )
    created = Created(bot=remote, next_check_at=check_at, track_until=DUE + timedelta(hours=9))
    await store.record_created(intent, created, now=DUE)
    return intent.bot_id


async def test_only_due_bots_are_read_most_overdue_first(stores: Stores) -> None:
    late = await booked(stores, "m_late", DUE + timedelta(seconds=5))
    early = await booked(stores, "m_early", DUE + timedelta(seconds=1))
    await booked(stores, "m_later", DUE + timedelta(hours=1))
    store = stores.tracking
    due = await store.due_for_check(now=DUE + timedelta(seconds=10), limit=10)
    assert [bot.id for bot in due] == [early, late]


async def test_a_change_is_stored_and_added_to_history(stores: Stores) -> None:
    bot_id = await booked(stores, "m1", DUE)
    store = stores.tracking
    seen_at = DUE + timedelta(minutes=4)
    await store.record_observations(
        [Observed(bot_id=bot_id, status="joining_call", changed=True, next_check_at=seen_at)],
        now=seen_at,
    )
    await store.record_observations(
        [Observed(bot_id=bot_id, status="joining_call", changed=False, next_check_at=None)],
        now=seen_at,
    )
    [view] = await stores.meetings.views()
    full = await stores.meetings.view(view.meeting.id)
    assert full.bot is not None
    assert full.bot.status == "joining_call"
    assert full.bot.status_changed_at == seen_at
    assert full.bot.next_check_at is None
    assert [(h.status, h.observed_at) for h in full.history] == [
        ("pending", DUE),
        ("joining_call", seen_at),
    ]


async def test_a_first_404_marks_the_bot_and_reads_it_again_later(stores: Stores) -> None:
    bot_id = await booked(stores, "m1", DUE)
    store = stores.tracking
    later = DUE + timedelta(minutes=3)
    await store.record_missing(bot_id, now=DUE, retry_at=later, message="Mavera answered 404")
    assert await store.due_for_check(now=later - timedelta(seconds=1), limit=10) == []
    [bot] = await store.due_for_check(now=later, limit=10)
    assert (bot.last_error_code, bot.last_error_message) == ("not_found", "Mavera answered 404")
    [view] = await stores.meetings.views()
    assert view.meeting.dispatch_state is DispatchState.BOOKED
    await store.record_found([bot_id], now=later)
    [bot] = await store.due_for_check(now=later, limit=10)
    assert (bot.last_error_code, bot.last_error_message) == (None, None)


async def test_a_lost_bot_is_not_read_again_and_fails_its_booked_meeting(
    stores: Stores,
) -> None:
    bot_id = await booked(stores, "m1", DUE)
    store = stores.tracking
    assert await store.record_lost(bot_id, now=DUE, message="bot m1 no longer exists") is True
    assert await store.due_for_check(now=DUE + timedelta(days=1), limit=10) == []
    [view] = await stores.meetings.views()
    full = await stores.meetings.view(view.meeting.id)
    assert full.meeting.dispatch_state is DispatchState.FAILED
    assert full.meeting.last_error == "bot m1 no longer exists"
    assert full.bot is not None
    assert (full.bot.active, full.bot.last_error_code) == (False, "not_found")
    assert [(e.kind, e.detail) for e in full.events][-2:] == [
        ("lost", "bot m1 no longer exists"),
        ("state", "booked -> failed"),
    ]
    # A failed meeting whose call changes is booked afresh (the lost bot no longer holds it).
    await upsert(
        stores.sources,
        [planned(start_at=T0 + timedelta(minutes=9), key="k-m1")],
        now=DUE + timedelta(minutes=1),
    )
    claims = await stores.dispatch("w").claim_due(
        now=T0 + timedelta(minutes=9), limit=1, lease=timedelta(seconds=90)
    )
    assert [intent.claim.meeting_id for intent in claims.intents] == [view.meeting.id]


async def test_a_lost_bot_of_a_meeting_being_rebooked_leaves_the_meeting_to_dispatch(
    stores: Stores,
) -> None:
    start = T0 + timedelta(hours=2)
    bot_id = await booked(stores, "m1", DUE, start_at=start)
    [view] = await stores.meetings.views()
    at = start - timedelta(minutes=10)  # before the freeze window: the bot can be cancelled
    await stores.meetings.set_override(view.meeting.id, "skip", now=at, freeze=timedelta(minutes=5))
    store = stores.tracking
    assert await store.record_lost(bot_id, now=at, message="bot m1 no longer exists") is False
    full = await stores.meetings.view(view.meeting.id)
    assert full.meeting.dispatch_state is DispatchState.STALE
    assert full.bot is not None
    assert (full.bot.active, full.bot.next_check_at) == (True, None)
    assert full.events[-1].kind == "lost"


async def test_a_page_of_reads_is_stored_in_one_go(stores: Stores) -> None:
    first = await booked(stores, "m1", DUE)
    second = await booked(stores, "m2", DUE)
    store = stores.tracking
    assert set(await store.tracked(["m1", "m2", "m_unknown"])) == {"m1", "m2"}
    at = DUE + timedelta(minutes=2)
    await store.record_observations(
        [
            Observed(bot_id=first, status="in_call_recording", changed=True, next_check_at=at),
            Observed(bot_id=second, status="pending", changed=False, next_check_at=None),
        ],
        now=at,
    )
    assert set(await store.tracked(["m1", "m2"])) == {"m1"}  # m2 is no longer read
    views = {v.bot.mavera_id: v for v in await stores.meetings.views() if v.bot}
    assert views["m1"].bot is not None
    assert (views["m1"].bot.status, views["m1"].bot.status_changed_at) == ("in_call_recording", at)
    assert views["m2"].bot is not None
    assert views["m2"].bot.status == "pending"


async def test_bots_created_since_are_counted(stores: Stores) -> None:
    await booked(stores, "m1", DUE)
    await booked(stores, "m2", DUE)
    store = stores.tracking
    assert await store.count_created_since(DUE) == 2
    assert await store.count_created_since(DUE + timedelta(seconds=1)) == 0
