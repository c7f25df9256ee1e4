"""The dispatch state machine as a table: every allowed and every forbidden transition, the
initial states, the state sets the SQL guards use, and no state named in the SQL store (the
decisions moved out of SQL: ``test_dispatch_decisions.py``)."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from service.core.dispatch.decisions import SCHEDULED
from service.core.dispatch.states import (
    CLAIMABLE,
    HELD,
    HOLDS_BOT,
    IN_FLIGHT,
    INITIAL,
    LATE_ANSWER_STATES,
    RETURNS,
    TRANSITIONS,
    DispatchEvent,
    DispatchState,
    initial_state,
    sources,
    target,
    transition,
)
from service.core.errors import InvalidTransition, ServiceError

W, C, A = DispatchState.WAITING, DispatchState.CLAIMED, DispatchState.AMBIGUOUS
B, ST = DispatchState.BOOKED, DispatchState.STALE
SK, F = DispatchState.SKIPPED, DispatchState.FAILED
E = DispatchEvent

# The specification, written out independently of the table: (state, event) -> state. Every
# pair not listed here must be refused.
ALLOWED: dict[tuple[DispatchState, DispatchEvent], DispatchState] = {
    # A source or an override wants a bot and none is booked: wait for the dispatch time.
    (W, E.PLANNED): W,
    (SK, E.PLANNED): W,
    (F, E.PLANNED): W,
    # No bot is wanted (rules, skip override, cancelled, vanished; or found by the claim).
    (W, E.UNWANTED): SK,
    (SK, E.UNWANTED): SK,
    (F, E.UNWANTED): SK,
    (C, E.UNWANTED): SK,
    # Claimed when due: a create to send, an ambiguous create to reconcile, a bot to cancel.
    (W, E.CLAIMED): C,
    (A, E.CLAIMED): C,
    (ST, E.CLAIMED): C,
    # What a claim can end in.
    (C, E.RELEASED): W,
    (C, E.AMBIGUOUS): A,
    (C, E.DISOWNED): A,
    (C, E.EXPIRED): A,
    (C, E.RECONCILED): C,
    (C, E.CANCELLED): C,
    (C, E.CREATED): B,
    (C, E.MOVED): ST,
    (C, E.FROZEN): B,
    (C, E.REJECTED): F,
    (C, E.GIVEN_UP): F,
    # A late answer for a meeting nobody holds.
    (W, E.CREATED): B,
    (A, E.CREATED): B,
    (W, E.MOVED): ST,
    (A, E.MOVED): ST,
    # A booked bot against the meeting as it is now.
    (B, E.MATCHED): B,
    (ST, E.MATCHED): B,
    (B, E.FROZEN): B,
    (ST, E.FROZEN): B,
    (B, E.MOVED): ST,
    (ST, E.MOVED): ST,
    # Tracking: Mavera no longer knows the booked bot.
    (B, E.LOST): F,
    # An operator retries a failed dispatch: the meeting waits again.
    (F, E.RETRIED): W,
}
PAIRS = list(itertools.product(DispatchState, DispatchEvent))
FORBIDDEN = [pair for pair in PAIRS if pair not in ALLOWED]


def pair_id(pair: tuple[DispatchState, DispatchEvent]) -> str:
    return f"{pair[0].value}-{pair[1].value}"


@pytest.mark.parametrize("pair", list(ALLOWED), ids=pair_id)
def test_every_allowed_transition_leads_where_the_table_says(
    pair: tuple[DispatchState, DispatchEvent],
) -> None:
    state, event = pair
    assert transition(state, event) is ALLOWED[pair]


@pytest.mark.parametrize("pair", FORBIDDEN, ids=pair_id)
def test_every_other_transition_is_refused(pair: tuple[DispatchState, DispatchEvent]) -> None:
    state, event = pair
    with pytest.raises(InvalidTransition) as caught:
        transition(state, event)
    assert isinstance(caught.value, ServiceError)
    assert (caught.value.state, caught.value.event) == (state.value, event.value)
    assert str(caught.value) == (
        f"dispatch event {event.value!r} is not allowed in state {state.value!r}"
    )


def test_the_table_is_exactly_the_specification() -> None:
    table = {(state, event): row.to for event, row in TRANSITIONS.items() for state in row.allowed}
    assert table == ALLOWED
    assert set(TRANSITIONS) == set(DispatchEvent)
    assert len(ALLOWED) + len(FORBIDDEN) == len(DispatchState) * len(DispatchEvent)


def test_every_state_is_reachable_and_can_be_left() -> None:
    reached = {after for (before, _), after in ALLOWED.items() if after is not before}
    left = {before for (before, _), after in ALLOWED.items() if after is not before}
    assert reached == left == set(DispatchState)


@pytest.mark.parametrize(("wanted", "state"), [(True, W), (False, SK)])
def test_a_new_meeting_starts_waiting_or_skipped(wanted: bool, state: DispatchState) -> None:
    assert initial_state(wanted=wanted) is state


def test_the_initial_states_are_those_of_the_planning_events() -> None:
    assert INITIAL == {E.PLANNED: W, E.UNWANTED: SK}
    assert all(transition(state, event) is state for event, state in INITIAL.items())


@pytest.mark.parametrize("prior", sorted(CLAIMABLE))
def test_a_released_claim_returns_to_the_state_it_was_claimed_from(
    prior: DispatchState,
) -> None:
    assert transition(HELD, RETURNS[prior]) is prior


def test_the_named_state_sets_follow_the_table() -> None:
    assert HELD is C
    assert set(RETURNS) == CLAIMABLE == {W, A, ST} == sources(E.CLAIMED)
    assert {W, A} == LATE_ANSWER_STATES
    assert all(state in sources(E.MOVED) for state in LATE_ANSWER_STATES)
    assert {B, ST} == HOLDS_BOT
    assert {C, A} == IN_FLIGHT
    assert SCHEDULED <= CLAIMABLE


@pytest.mark.parametrize(
    ("event", "states", "after"),
    [
        (E.CLAIMED, CLAIMABLE, C),
        (E.CREATED, LATE_ANSWER_STATES, B),
        (E.MOVED, LATE_ANSWER_STATES, ST),
        (E.LOST, sources(E.LOST), F),
        (E.EXPIRED, {C}, A),
    ],
)
def test_a_set_based_write_takes_the_one_state_the_event_leads_to(
    event: DispatchEvent, states: frozenset[DispatchState], after: DispatchState
) -> None:
    assert target(event, states) is after


@pytest.mark.parametrize(
    ("event", "states"),
    [(E.PLANNED, LATE_ANSWER_STATES), (E.CLAIMED, {W, B}), (E.LOST, {B, ST})],
)
def test_a_set_based_write_is_refused_if_one_state_forbids_the_event(
    event: DispatchEvent, states: frozenset[DispatchState]
) -> None:
    with pytest.raises(InvalidTransition):
        target(event, states)


SQL_STORE = Path(__file__).resolve().parents[2] / "service" / "adapters" / "sql"
STATE_VALUES = {state.value for state in DispatchState}


def named_states(source: str) -> list[str]:
    """Dispatch states a module names itself: ``DispatchState.X``, ``DispatchState("x")``,
    or a state's string compared with or written as a value (other strings, such as the
    note kinds "booked" or "ambiguous", are events' names, not states)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _is_state_enum(node.value):
            found.append(node.attr)
        elif isinstance(node, ast.Call) and _is_state_enum(node.func):
            found += _state_strings(node.args)
        elif isinstance(node, ast.Compare):
            found += _state_strings([node.left, *node.comparators])
        elif isinstance(node, ast.keyword) and node.arg == "dispatch_state":
            found += _state_strings([node.value])
        elif isinstance(node, ast.Dict):
            found += _state_strings(node.values)
    return found


def _is_state_enum(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "DispatchState"


def _state_strings(nodes: list[ast.expr | None] | list[ast.expr]) -> list[str]:
    return [
        str(node.value)
        for node in nodes
        if isinstance(node, ast.Constant) and node.value in STATE_VALUES
    ]


@pytest.mark.parametrize("path", sorted(SQL_STORE.glob("*.py")), ids=lambda path: path.name)
def test_the_sql_store_takes_every_state_from_the_table(path: Path) -> None:
    """No SQL module names a dispatch state: what it writes comes from ``transition``,
    ``target`` or ``initial_state``, and what it filters on from the table's state sets."""
    assert named_states(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("x = DispatchState.BOOKED", ["BOOKED"]),
        ('x = DispatchState("waiting")', ["waiting"]),
        ('x = row["dispatch_state"] == "claimed"', ["claimed"]),
        ('update(meetings).values(dispatch_state="failed")', ["failed"]),
        ('x = {"dispatch_state": "skipped"}', ["skipped"]),
        ('note(conn, 1, now, "ambiguous", "x")', []),
        ('x = DispatchState(row["dispatch_state"])', []),
    ],
)
def test_the_check_catches_a_named_state(source: str, named: list[str]) -> None:
    assert named_states(source) == named
