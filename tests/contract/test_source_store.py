"""Sources on every backend: one meeting per real call, moves, vanishing, freeze, overrides."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from service.core.dispatch.claims import Created, Recorded
from service.core.dispatch.states import DispatchState
from service.core.model import MeetingView, RemoteBot
from service.core.sourcing import SourceMeetings, Window
from service.core.timing import PlannedMeeting
from tests.backends import Stores
from tests.conftest import T0
from tests.contract import internals
from tests.factories import make_meeting, make_planned

FREEZE = timedelta(minutes=5)
WINDOW = Window(start=T0 - timedelta(days=1), end=T0 + timedelta(days=28))
START = T0 + timedelta(hours=3)
URL = "https://acme.zoom.us/j/81234567890"


def occurrence(key: str, source: str, **changes: object) -> PlannedMeeting:
    meeting = make_meeting(start_at=START, key=key, meeting_url=URL, source=source)
    return make_planned(replace(meeting, **changes))  # type: ignore[arg-type]


async def apply(
    stores: Stores, source: str, items: list[PlannedMeeting], *, window: Window | None = WINDOW
) -> None:
    incoming = SourceMeetings(source=source, planned=items, window=window)
    await stores.source_store(freeze=FREEZE).apply(incoming, now=T0)


async def only(stores: Stores) -> MeetingView:
    [view] = await stores.meetings.views()
    return await stores.meetings.view(view.meeting.id)


async def book(stores: Stores, mavera_id: str = "meeting_1") -> None:
    store = stores.dispatch("w")
    [intent] = (await store.claim_due(now=START, limit=1, lease=timedelta(minutes=1))).intents
    remote = RemoteBot(
        mavera_id=mavera_id, status="pending", meeting_url=URL, join_at=None, created_at=None
    )
    created = Created(bot=remote, next_check_at=None, track_until=START + timedelta(hours=2))
    recorded = await store.record_created(intent, created, now=T0)
    assert recorded is Recorded.STORED


async def test_one_invitation_in_many_calendars_is_one_meeting(stores: Stores) -> None:
    for calendar in range(3):
        await apply(stores, f"calendar:{calendar}", [occurrence("uid-1@2026", f"c{calendar}")])
    view = await only(stores)
    assert [s.source for s in view.sources] == ["calendar:0", "calendar:1", "calendar:2"]
    assert view.meeting.dispatch_state is DispatchState.WAITING


async def test_the_same_call_under_other_uids_is_one_meeting(stores: Stores) -> None:
    await apply(stores, "calendar:1", [occurrence("uid-a", "c1")])
    await apply(stores, "calendar:2", [occurrence("uid-b", "c2")])
    view = await only(stores)
    assert {s.source_key for s in view.sources} == {"uid-a", "uid-b"}


async def test_a_second_sync_with_no_change_writes_nothing(stores: Stores) -> None:
    items = [occurrence(f"uid-{i}", "c1", start_at=START + timedelta(hours=i)) for i in range(5)]
    store = stores.source_store(freeze=FREEZE)
    incoming = SourceMeetings(source="calendar:1", planned=items, window=WINDOW)
    first = await store.apply(incoming, now=T0)
    again = await store.apply(incoming, now=T0)
    assert (first.inserted, first.rows_written > 0) == (5, True)
    assert (again.inserted, again.updated, again.gone, again.rows_written) == (0, 0, 0, 0)


async def test_a_move_updates_the_meeting_in_place(stores: Stores) -> None:
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1", sequence=1)])
    later = START + timedelta(hours=1)
    moved = occurrence("uid-1", "c1", sequence=2, start_at=later, end_at=later + timedelta(hours=1))
    await apply(stores, "calendar:1", [moved])
    view = await only(stores)
    assert view.meeting.start_at == later
    assert view.meeting.join_at == later - timedelta(seconds=60)
    assert [e.kind for e in view.events] == ["created", "updated"]


async def test_an_older_copy_never_undoes_a_newer_one(stores: Stores) -> None:
    later = START + timedelta(hours=1)
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1", sequence=3, start_at=later)])
    await apply(stores, "calendar:2", [occurrence("uid-1", "c2", sequence=1)])
    view = await only(stores)
    assert (view.meeting.start_at, view.meeting.sequence) == (later, 3)
    assert len(view.sources) == 2


async def test_vanishing_from_every_source_means_no_bot(stores: Stores) -> None:
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1")])
    await apply(stores, "calendar:2", [occurrence("uid-1", "c2")])
    await apply(stores, "calendar:1", [])
    assert (await only(stores)).meeting.wanted  # calendar 2 still has it
    await apply(stores, "calendar:2", [])
    view = await only(stores)
    assert (view.meeting.wanted, view.meeting.decision_reason) == (False, "vanished")
    assert view.meeting.dispatch_state is DispatchState.SKIPPED
    assert [e.kind for e in view.events][-3:] == ["source_gone", "decision", "state"]


async def test_missing_outside_the_fetched_window_is_not_vanishing(stores: Stores) -> None:
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1")])
    clipped = Window(start=T0 - timedelta(days=1), end=START - timedelta(minutes=1))
    await apply(stores, "calendar:1", [], window=clipped)
    assert (await only(stores)).meeting.wanted
    await apply(stores, "calendar:1", [], window=None)
    assert (await only(stores)).meeting.wanted


async def test_a_booked_meeting_that_moves_becomes_stale(stores: Stores) -> None:
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1")])
    await book(stores)
    later = START + timedelta(hours=1)
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1", sequence=1, start_at=later)])
    view = await only(stores)
    assert view.meeting.dispatch_state is DispatchState.STALE
    assert view.meeting.dispatch_at == T0
    assert view.bot is not None
    assert view.bot.join_at == START - timedelta(seconds=60)  # what was sent stays recorded


async def test_a_booked_meeting_that_only_renames_stays_booked(stores: Stores) -> None:
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1")])
    await book(stores)
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1", title="Renamed")])
    view = await only(stores)
    assert (view.meeting.dispatch_state, view.meeting.title) == (DispatchState.BOOKED, "Renamed")


async def test_changes_inside_the_freeze_window_leave_the_bot_alone(stores: Stores) -> None:
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1")])
    await book(stores)
    near = START - timedelta(minutes=3)
    later = START + timedelta(hours=1)
    moved = [occurrence("uid-1", "c1", sequence=1, start_at=later)]
    incoming = SourceMeetings(source="calendar:1", planned=moved, window=WINDOW)
    await stores.source_store(freeze=FREEZE).apply(incoming, now=near)
    view = await only(stores)
    assert view.meeting.dispatch_state is DispatchState.BOOKED
    assert view.events[-1].kind == "frozen"


async def test_a_manual_override_wins_over_the_rules(stores: Stores) -> None:
    declined = occurrence("uid-1", "c1", record=False, reason="declined")
    await apply(stores, "calendar:1", [declined])
    view = await only(stores)
    assert (view.meeting.wanted, view.meeting.dispatch_state) == (False, DispatchState.SKIPPED)
    meetings = stores.meetings
    forced = await meetings.set_override(view.meeting.id, "record", now=T0, freeze=FREEZE)
    assert (forced.meeting.wanted, forced.meeting.decision_reason) == (True, "manual_record")
    assert forced.meeting.dispatch_state is DispatchState.WAITING
    cleared = await meetings.set_override(view.meeting.id, None, now=T0, freeze=FREEZE)
    assert (cleared.meeting.wanted, cleared.meeting.dispatch_state) == (
        False,
        DispatchState.SKIPPED,
    )


async def test_one_calendar_that_wants_a_bot_is_enough(stores: Stores) -> None:
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1", record=False, reason="declined")])
    await apply(stores, "calendar:2", [occurrence("uid-1", "c2")])
    view = await only(stores)
    assert view.meeting.wanted
    assert [(s.record, s.reason) for s in view.sources] == [(False, "declined"), (True, None)]


async def test_an_expired_claim_on_a_stale_meeting_goes_back_to_stale(stores: Stores) -> None:
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1")])
    await book(stores)
    later = START + timedelta(hours=1)
    await apply(stores, "calendar:1", [occurrence("uid-1", "c1", sequence=1, start_at=later)])
    store = stores.dispatch("dies")
    batch = await store.claim_due(now=T0, limit=1, lease=timedelta(seconds=90))
    assert [claim.change for claim in batch.changes] == [True]
    assert await store.expire_leases(now=T0 + timedelta(minutes=5)) == 1
    view = await only(stores)
    # The cancel may or may not have happened: do it again (it is harmless to repeat),
    # never "reconcile a create" that was never sent.
    assert view.meeting.dispatch_state is DispatchState.STALE


async def test_new_meetings_are_written_settled_and_shared_calls_are_settled(
    stores: Stores,
) -> None:
    """A meeting created with one source row needs no settling; one call that two events of
    the same fetch share is settled from both votes."""
    later, one, two = START + timedelta(hours=1), f"{URL}1", f"{URL}2"
    items = [
        occurrence("recorded", "c1", meeting_url=one),
        occurrence("declined", "c1", meeting_url=two, record=False, reason="declined"),
        occurrence("shared-skip", "c1", start_at=later, record=False, reason="title_keyword"),
        occurrence("shared-record", "c1", start_at=later),
    ]
    incoming = SourceMeetings(source="calendar:1", planned=items, window=WINDOW)
    counts = await stores.source_store(freeze=FREEZE).apply(incoming, now=T0)
    views = {v.meeting.meeting_url: v.meeting for v in await stores.meetings.views()}
    assert counts.to_settle() == {views[URL].id}
    assert views[one].dispatch_state is DispatchState.WAITING
    assert (views[two].wanted, views[two].dispatch_state) == (False, DispatchState.SKIPPED)
    # The first event of the shared call said skip, the second record: any yes wins.
    assert (views[URL].wanted, views[URL].dispatch_state) == (True, DispatchState.WAITING)
    ids = [meeting.id for meeting in views.values()]
    assert await internals.settle_wishes(stores, ids, now=T0) == 0
