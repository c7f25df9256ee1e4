"""The pure dispatch decisions the SQL store applies before it writes (moved out of the SQL
modules): whether a bot is wanted, whether a booked bot fits, what a changed wish does, how
claims are sorted, when a claim ends without a create, and the planner's job of a meeting."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from service.core.dispatch.claims import Claim, sort_claims
from service.core.dispatch.decisions import (
    NOT_WANTED,
    STRUCTURAL,
    TOO_LATE,
    Vote,
    Wish,
    booked_event,
    bot_fits,
    check_override,
    closing,
    decide_wanted,
    follows_new_times,
    next_state,
    plan_job,
    settle_wish,
    wish_event,
)
from service.core.dispatch.notes import override_note
from service.core.dispatch.states import DispatchEvent, DispatchState
from service.core.model import Bot
from service.core.planner import Job
from tests.conftest import T0

W, C, A = DispatchState.WAITING, DispatchState.CLAIMED, DispatchState.AMBIGUOUS
B, ST = DispatchState.BOOKED, DispatchState.STALE
SK, F = DispatchState.SKIPPED, DispatchState.FAILED
E = DispatchEvent


# The wanted-or-not decision (was ``adapters/sql/wishes.decision``).
@pytest.mark.parametrize(
    ("override", "votes", "decided"),
    [
        (None, [], (False, "vanished")),
        ("record", [], (False, "vanished")),
        (None, [(True, None)], (True, None)),
        (None, [(False, "declined"), (True, None)], (True, None)),
        (None, [(False, "declined"), (True, "organizer")], (True, "organizer")),
        (None, [(False, "declined"), (False, "title_keyword")], (False, "declined")),
        ("record", [(False, "declined")], (True, "manual_record")),
        ("skip", [(True, None)], (False, "manual_skip")),
        ("record", [(False, "cancelled")], (False, "cancelled")),
        ("record", [(False, "ended"), (False, "all_day")], (False, "ended")),
        ("record", [(False, "cancelled"), (False, "declined")], (True, "manual_record")),
        (None, [(False, "cancelled"), (True, None)], (True, None)),
        ("bogus", [(False, "declined")], (False, "declined")),
    ],
)
def test_a_bot_is_wanted_if_any_source_wants_one_unless_overridden(
    override: str | None, votes: list[Vote], decided: Vote
) -> None:
    assert decide_wanted(override, votes) == decided


def test_structural_reasons_are_those_no_override_can_change() -> None:
    assert {"cancelled", "all_day", "no_join_url", "ended", "vanished"} == STRUCTURAL


JOIN = T0 + timedelta(hours=1)
URL = "https://acme.zoom.us/j/81000000001"
FREEZE = timedelta(minutes=5)
EARLY = JOIN - timedelta(hours=2)  # before any freeze window
NEAR = JOIN - timedelta(minutes=3)  # inside the freeze window of a bot booked for JOIN


def wish(
    *,
    wanted: bool = True,
    changed: bool = False,
    booked_join_at: datetime | None = JOIN,
    booked_url: str | None = URL,
) -> Wish:
    return Wish(
        wanted=wanted,
        join_at=JOIN,
        meeting_url=URL,
        changed=changed,
        booked_join_at=booked_join_at,
        booked_url=booked_url,
    )


OLD_JOIN = JOIN - timedelta(hours=1)  # the meeting moved after its bot was booked
NEAR_OLD = OLD_JOIN - timedelta(minutes=3)  # inside the freeze window of that bot
OLD_URL = f"{URL}9"  # the meeting's link changed after its bot was booked


@pytest.mark.parametrize(
    ("given", "fits"),
    [
        (wish(), True),
        (wish(wanted=False), False),
        (wish(booked_join_at=OLD_JOIN), False),
        (wish(booked_url=OLD_URL), False),
        (wish(booked_join_at=None, booked_url=None), False),
    ],
)
def test_a_booked_bot_fits_when_wanted_at_the_same_call_and_time(given: Wish, fits: bool) -> None:
    assert bot_fits(given) is fits
    assert booked_event(given) is (E.CREATED if fits else E.MOVED)


@pytest.mark.parametrize(
    ("state", "given", "now", "event", "after"),
    [
        # In flight: the wish waits for the claim or the reconciliation to settle.
        (C, wish(wanted=False, changed=True), EARLY, None, C),
        (A, wish(wanted=False, changed=True), EARLY, None, A),
        # No bot booked.
        (W, wish(), EARLY, E.PLANNED, W),
        (W, wish(wanted=False), EARLY, E.UNWANTED, SK),
        (SK, wish(), EARLY, E.PLANNED, W),
        (SK, wish(wanted=False), EARLY, E.UNWANTED, SK),
        (F, wish(), EARLY, None, F),  # failed: tried again only when what it asks changed
        (F, wish(changed=True), EARLY, E.PLANNED, W),
        (F, wish(wanted=False), EARLY, E.UNWANTED, SK),
        # A bot booked.
        (B, wish(), EARLY, E.MATCHED, B),
        (B, wish(changed=True, booked_join_at=OLD_JOIN), EARLY, E.MOVED, ST),
        (B, wish(changed=True, booked_url=OLD_URL), EARLY, E.MOVED, ST),
        (B, wish(wanted=False), EARLY, E.MOVED, ST),
        (B, wish(changed=True, booked_join_at=OLD_JOIN), NEAR_OLD, E.FROZEN, B),
        (B, wish(wanted=False), NEAR, E.FROZEN, B),
        (ST, wish(), EARLY, E.MATCHED, B),  # moved back
        (ST, wish(booked_join_at=OLD_JOIN), EARLY, E.MOVED, ST),
        (ST, wish(booked_join_at=OLD_JOIN), NEAR_OLD, E.FROZEN, B),
    ],
)
def test_a_changed_wish_brings_one_event_and_the_table_gives_the_state(
    state: DispatchState,
    given: Wish,
    now: datetime,
    event: DispatchEvent | None,
    after: DispatchState,
) -> None:
    assert wish_event(state, given, now=now, freeze=FREEZE) is event
    assert next_state(state, given, now=now, freeze=FREEZE) is after


def test_a_meeting_that_becomes_stale_is_due_at_once() -> None:
    moved = wish(changed=True, booked_join_at=OLD_JOIN)
    became = settle_wish(B, moved, now=EARLY, freeze=FREEZE)
    assert (became.state, became.due_now, became.kept_frozen) == (ST, True, False)
    stayed = settle_wish(ST, moved, now=EARLY, freeze=FREEZE)
    assert (stayed.state, stayed.due_now, stayed.kept_frozen) == (ST, False, False)


def test_a_change_inside_the_freeze_window_is_noted_as_left_alone() -> None:
    moved = wish(changed=True, booked_join_at=OLD_JOIN)
    kept = settle_wish(B, moved, now=NEAR_OLD, freeze=FREEZE)
    assert (kept.state, kept.due_now, kept.kept_frozen) == (B, False, True)
    # Only a change of the call or time is noted; an unchanged meeting or a matching bot
    # is not.
    unchanged = wish(changed=False, booked_join_at=OLD_JOIN)
    assert not settle_wish(B, unchanged, now=NEAR_OLD, freeze=FREEZE).kept_frozen
    not_wanted = wish(wanted=False, changed=True)
    assert not settle_wish(B, not_wanted, now=NEAR, freeze=FREEZE).kept_frozen
    # A stale booking that freezes becomes booked: a state change, not a note.
    unfrozen = settle_wish(ST, moved, now=NEAR_OLD, freeze=FREEZE)
    assert (unfrozen.state, unfrozen.kept_frozen) == (B, False)


@pytest.mark.parametrize("state", list(DispatchState))
def test_only_a_waiting_meeting_takes_new_dispatch_times(state: DispatchState) -> None:
    assert follows_new_times(state) is (state is W)


def bot(*, mavera_id: str | None) -> Bot:
    return Bot(
        id=1,
        meeting_id=1,
        mavera_id=mavera_id,
        meeting_url=URL,
        join_at=JOIN,
        status=None,
        active=True,
        attempts=1,
        requested_at=T0,
        status_changed_at=None,
        next_check_at=None,
        track_until=None,
    )


def claim(
    meeting_id: int = 1,
    *,
    prior: DispatchState = W,
    wanted: bool = True,
    pending: Bot | None = None,
    booked: Bot | None = None,
) -> Claim:
    return Claim(
        meeting_id=meeting_id,
        token="t",
        title="Pipeline review",
        meeting_url=URL,
        join_at=JOIN,
        end_at=JOIN + timedelta(minutes=30),
        deadline=JOIN,
        wanted=wanted,
        prior=prior,
        pending_bot=pending,
        booked_bot=booked,
    )


def test_claims_are_sorted_into_reconcile_change_and_ready() -> None:
    ambiguous = claim(1, prior=A, pending=bot(mavera_id=None))
    stale = claim(2, prior=ST, booked=bot(mavera_id="meeting_abc"))
    waiting = claim(3)
    retry = claim(4, pending=bot(mavera_id=None))  # waiting again after a create not sent
    ambiguous_empty = claim(5, prior=A)  # its booking got its bot meanwhile: nothing pending
    stale_gone = claim(6, prior=ST)
    reconcile, changes, ready = sort_claims(
        [ambiguous, stale, waiting, retry, ambiguous_empty, stale_gone]
    )
    assert reconcile == [ambiguous]
    assert changes == [stale]
    assert ready == [waiting, retry, ambiguous_empty, stale_gone]


@pytest.mark.parametrize(
    ("given", "now", "ending"),
    [
        (claim(), T0, None),  # on time
        (claim(), JOIN + timedelta(minutes=1), None),  # late, still useful
        (claim(wanted=False), T0, (E.UNWANTED, SK, "no_longer_wanted", NOT_WANTED, None)),
        (
            claim(),
            JOIN + timedelta(minutes=30),
            (E.GIVEN_UP, F, "too_late", TOO_LATE, TOO_LATE),
        ),
        (
            claim(wanted=False),
            JOIN + timedelta(hours=1),
            (E.UNWANTED, SK, "no_longer_wanted", NOT_WANTED, None),
        ),
    ],
)
def test_a_claim_ends_without_a_create_when_unwanted_or_too_late(
    given: Claim,
    now: datetime,
    ending: tuple[DispatchEvent, DispatchState, str, str, str | None] | None,
) -> None:
    found = closing(given, now=now)
    if ending is None:
        assert found is None
    else:
        assert found is not None
        assert (found.event, found.state, found.code, found.message, found.error) == ending


def test_a_waiting_meeting_is_planned_as_one_create() -> None:
    job = plan_job(
        meeting_id=7, state=W, deadline=JOIN, join_at=JOIN, wanted=True, booked_join_at=None
    )
    assert job == Job(key=7, deadline=JOIN, join_at=JOIN)


@pytest.mark.parametrize(
    ("wanted", "booked_join_at", "deadline", "cost"),
    [
        (True, JOIN - timedelta(minutes=20), JOIN - timedelta(minutes=20), 2),
        (False, JOIN - timedelta(minutes=20), JOIN - timedelta(minutes=20), 1),
        (True, JOIN + timedelta(hours=1), JOIN, 2),
        (True, None, JOIN, 2),
    ],
)
def test_a_stale_meeting_is_planned_as_an_urgent_cancel_before_the_old_bot_joins(
    wanted: bool, booked_join_at: datetime | None, deadline: datetime, cost: int
) -> None:
    job = plan_job(
        meeting_id=7,
        state=ST,
        deadline=JOIN,
        join_at=JOIN,
        wanted=wanted,
        booked_join_at=booked_join_at,
    )
    assert job == Job(key=7, deadline=deadline, join_at=JOIN, cost=cost, urgent=True)


@pytest.mark.parametrize("override", ["record", "skip", None])
def test_an_override_records_skips_or_goes_back_to_the_rules(override: str | None) -> None:
    check_override(override)
    assert override_note(override) == ("override", override or "cleared: rules decide")


def test_any_other_override_is_refused() -> None:
    with pytest.raises(ValueError, match="override must be one of"):
        check_override("maybe")
