"""Calendars on every backend: removing one is one transaction with its meetings' sources;
a failed dispatch is retried through the same settling as any change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.core.dispatch.states import DispatchState
from service.core.errors import CalendarNotFound, DispatchNotFailed, MeetingNotFound
from service.core.model import Calendar, CalendarKind
from tests.backends import Stores
from tests.conftest import T0
from tests.contract.test_source_store import FREEZE, START, apply, book, occurrence


async def add(stores: Stores, name: str) -> Calendar:
    return await stores.calendars.add(
        name=name,
        kind=CalendarKind.ICS_FILE,
        location=f"/calendars/{name}.ics",
        owner_email=None,
        interval=timedelta(minutes=5),
        now=T0,
    )


async def test_removing_a_calendar_takes_its_source_from_every_meeting_at_once(
    stores: Stores,
) -> None:
    team, other = await add(stores, "Team"), await add(stores, "Other")
    await apply(stores, team.source, [occurrence("uid-1", team.source)], window=None)
    await apply(stores, other.source, [occurrence("uid-1", other.source)], window=None)
    await apply(
        stores,
        team.source,
        [occurrence("uid-2", team.source, start_at=START + timedelta(hours=1))],
        window=None,
    )
    store = stores.calendars
    assert await store.remove("Team", now=T0, freeze=FREEZE) == 2
    shared, alone = await stores.meetings.views()
    assert (shared.meeting.dispatch_state, shared.meeting.wanted) == (DispatchState.WAITING, True)
    assert (alone.meeting.dispatch_state, alone.meeting.decision_reason) == (
        DispatchState.SKIPPED,
        "vanished",
    )
    kept = await stores.meetings.view(shared.meeting.id)
    assert [s.source for s in kept.sources] == [other.source]
    assert [c.name for c in await store.all()] == ["Other"]
    with pytest.raises(CalendarNotFound):
        await store.remove("Team", now=T0, freeze=FREEZE)


async def test_removing_the_calendar_of_a_booked_meeting_makes_its_bot_stale(
    stores: Stores,
) -> None:
    team = await add(stores, "Team")
    await apply(stores, team.source, [occurrence("uid-1", team.source)], window=None)
    await book(stores)
    await stores.calendars.remove("Team", now=T0, freeze=FREEZE)
    [view] = await stores.meetings.views()
    assert view.meeting.dispatch_state is DispatchState.STALE  # to cancel, in the same commit
    assert view.meeting.dispatch_at == T0


async def test_only_a_failed_dispatch_is_retried(stores: Stores) -> None:
    await apply(stores, "json", [occurrence("uid-1", "json")], window=None)
    meetings = stores.meetings
    [view] = await meetings.views()
    with pytest.raises(DispatchNotFailed, match="is waiting, not failed"):
        await meetings.retry_failed(view.meeting.id, now=T0, freeze=FREEZE)
    with pytest.raises(MeetingNotFound):
        await meetings.retry_failed(999, now=T0, freeze=FREEZE)
    store = stores.dispatch("w")
    [intent] = (await store.claim_due(now=START, limit=1, lease=timedelta(minutes=1))).intents
    await store.record_rejected(intent, now=START, code="invalid_url", message="refused")
    retried = await meetings.retry_failed(view.meeting.id, now=START, freeze=FREEZE)
    assert (retried.meeting.dispatch_state, retried.meeting.dispatch_at) == (
        DispatchState.WAITING,
        START,
    )
    [again] = (await store.claim_due(now=START, limit=1, lease=timedelta(minutes=1))).intents
    assert again.attempt == 1  # a new booking: the refused one stays closed
    assert again.bot_id != intent.bot_id
