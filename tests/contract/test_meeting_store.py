"""The meeting store contract on every backend: idempotent upsert, aware UTC, views."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta, timezone

import pytest

from service.core.dispatch.states import DispatchState
from service.core.errors import MeetingNotFound
from tests.backends import Stores
from tests.conftest import T0
from tests.factories import make_meeting, make_planned, upsert


async def test_upsert_inserts_then_is_idempotent(stores: Stores) -> None:
    store = stores.meetings
    items = [make_planned(make_meeting(start_at=T0 + timedelta(hours=i))) for i in range(3)]
    first = await upsert(stores.sources, items, now=T0)
    assert (first.inserted, first.updated, first.unchanged) == (3, 0, 0)
    again = await upsert(stores.sources, items, now=T0)
    assert (again.inserted, again.updated, again.unchanged, again.rows_written) == (0, 0, 3, 0)
    assert len(await store.views()) == 3


async def test_reimport_updates_in_place(stores: Stores) -> None:
    store = stores.meetings
    meeting = make_meeting(start_at=T0 + timedelta(hours=2), key="uid-moved")
    await upsert(stores.sources, [make_planned(meeting)], now=T0)
    moved = replace(meeting, title="Moved review", start_at=T0 + timedelta(hours=3))
    counts = await upsert(stores.sources, [make_planned(moved)], now=T0)
    assert (counts.inserted, counts.updated) == (0, 1)
    [view] = await store.views()
    assert view.meeting.title == "Moved review"
    assert view.meeting.start_at == T0 + timedelta(hours=3)
    assert view.meeting.join_at == T0 + timedelta(hours=3) - timedelta(seconds=60)
    assert view.meeting.dispatch_at == view.meeting.join_at - timedelta(minutes=10)


async def test_datetimes_come_back_aware_utc(stores: Stores) -> None:
    plus_two = timezone(timedelta(hours=2))
    start = (T0 + timedelta(hours=5)).astimezone(plus_two)
    await upsert(stores.sources, [make_planned(make_meeting(start_at=start))], now=T0)
    [view] = await stores.meetings.views()
    assert view.meeting.start_at == start
    assert view.meeting.start_at.utcoffset() == timedelta(0)
    assert view.meeting.start_at.tzinfo is not None


async def test_naive_datetimes_are_refused(stores: Stores) -> None:
    naive = T0.replace(tzinfo=None)
    meeting = make_meeting(start_at=naive)
    with pytest.raises(Exception, match="naive datetime"):
        await upsert(stores.sources, [make_planned(meeting)], now=T0)
    assert await stores.meetings.views() == []


async def test_a_claimed_meeting_keeps_its_dispatch_time_on_reimport(
    stores: Stores,
) -> None:
    store = stores.meetings
    meeting = make_meeting(start_at=T0 + timedelta(minutes=5), key="uid-claimed")
    await upsert(stores.sources, [make_planned(meeting)], now=T0)
    await stores.dispatch("w").claim_due(now=T0, limit=1, lease=timedelta(seconds=90))
    before = (await store.views())[0].meeting
    later = replace(meeting, start_at=T0 + timedelta(minutes=50))
    await upsert(stores.sources, [make_planned(later)], now=T0)
    after = (await store.views())[0].meeting
    assert after.dispatch_state is DispatchState.CLAIMED
    assert after.dispatch_at == before.dispatch_at
    assert after.start_at == T0 + timedelta(minutes=50)


async def test_views_skip_ended_meetings_when_asked(stores: Stores) -> None:
    store = stores.meetings
    past = make_meeting(start_at=T0 - timedelta(hours=2), minutes=30)
    future = make_meeting(start_at=T0 + timedelta(hours=2))
    await upsert(stores.sources, [make_planned(past), make_planned(future)], now=T0)
    upcoming = await store.views(starting_after=T0)
    assert [v.meeting.start_at for v in upcoming] == [future.start_at]
    assert len(await store.views()) == 2


async def test_large_imports_are_chunked(stores: Stores) -> None:
    items = [make_planned(make_meeting(start_at=T0 + timedelta(minutes=i))) for i in range(900)]
    assert (await upsert(stores.sources, items, now=T0)).inserted == 900
    assert (await upsert(stores.sources, items, now=T0)).unchanged == 900


async def test_view_of_unknown_meeting_raises(stores: Stores) -> None:
    with pytest.raises(MeetingNotFound, match="no meeting with id 42"):
        await stores.meetings.view(42)
