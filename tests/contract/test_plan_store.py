"""The plan store on every backend: waiting meetings out, planned dispatch times in."""

from __future__ import annotations

from datetime import timedelta

from tests.backends import Stores
from tests.conftest import T0
from tests.factories import planned, upsert


async def test_only_waiting_meetings_are_planned_and_rescheduled(stores: Stores) -> None:
    await upsert(
        stores.sources, [planned(start_at=T0 + timedelta(minutes=m)) for m in (5, 90)], now=T0
    )
    soon, later = (v.meeting for v in await stores.meetings.views())
    await stores.dispatch("w").claim_due(now=T0, limit=1, lease=timedelta(seconds=90))
    store = stores.plans
    jobs, current = await store.waiting()
    assert [(j.key, j.deadline, j.join_at) for j in jobs] == [
        (later.id, later.deadline, later.join_at)
    ]
    assert current == {later.id: later.dispatch_at}
    new_time = T0 + timedelta(minutes=42)
    assert await store.reschedule({later.id: new_time, soon.id: new_time}, now=T0) == 2
    after = {v.meeting.id: v.meeting for v in await stores.meetings.views()}
    assert after[later.id].dispatch_at == new_time
    assert after[soon.id].dispatch_at == soon.dispatch_at  # claimed: left alone
