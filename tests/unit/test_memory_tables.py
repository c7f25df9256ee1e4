"""The memory store's tables: unique values refused as the database refuses them, groups kept
in step, and a failed transaction undone whole (the contract suite relies on all three)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from service.adapters.memory import Conflict, MemoryState
from service.adapters.memory.rows import LeaseRow
from service.adapters.memory.tables import Table
from tests.conftest import T0


@dataclass(frozen=True, slots=True, kw_only=True)
class Thing:
    id: int
    name: str | None
    group: str


def things() -> Table[int, Thing]:
    return Table(
        "things", lambda t: t.id, unique={"name": lambda t: t.name}, groups={"g": lambda t: t.group}
    )


def test_a_taken_unique_value_is_refused_and_nothing_is_written() -> None:
    table = things()
    table.put(Thing(id=1, name="a", group="x"))
    with pytest.raises(Conflict, match=r"things\.name"):
        table.put(Thing(id=2, name="a", group="x"))
    assert [t.id for t in table] == [1]
    assert [t.id for t in table.group("g", "x")] == [1]


def test_none_is_never_a_taken_value() -> None:
    table = things()
    table.put(Thing(id=1, name=None, group="x"))
    table.put(Thing(id=2, name=None, group="x"))
    assert table.find("name", None) is None
    assert [t.id for t in table.group("g", "x")] == [1, 2]


def test_a_replaced_row_moves_between_groups_and_frees_its_old_value() -> None:
    table = things()
    table.put(Thing(id=1, name="a", group="x"))
    table.put(Thing(id=1, name="b", group="y"))
    assert (table.group("g", "x"), [t.id for t in table.group("g", "y")]) == ([], [1])
    table.put(Thing(id=2, name="a", group="x"))
    found = table.find("name", "a")
    assert found is not None
    assert found.id == 2


def test_an_insert_of_a_taken_key_is_refused() -> None:
    table = things()
    table.insert(Thing(id=1, name="a", group="x"))
    with pytest.raises(Conflict, match="key 1"):
        table.insert(Thing(id=1, name="b", group="x"))


def test_a_failed_transaction_leaves_every_table_as_it_was() -> None:
    state = MemoryState()
    with pytest.raises(Conflict), state.transaction():
        state.add_change(1, "pending", T0)  # no bot 1: refused, like a foreign key
    with pytest.raises(Conflict):
        _put_twice(state)
    assert (len(state.changes), len(state.leases)) == (0, 0)
    with state.transaction():
        state.leases.put(_lease("planner"))
    assert state.leases.get("planner") == _lease("planner")


def test_transactions_do_not_nest() -> None:
    state = MemoryState()
    with state.transaction(), pytest.raises(RuntimeError, match="already open"):  # noqa: SIM117
        with state.transaction():
            pass


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        _lease("planner", naive=True)


def _put_twice(state: MemoryState) -> None:
    with state.transaction():
        state.leases.put(_lease("planner"))  # written, then undone with the rest
        state.leases.insert(_lease("planner"))


def _lease(name: str, *, naive: bool = False) -> LeaseRow:
    until = T0.replace(tzinfo=None) if naive else T0
    return LeaseRow(name=name, holder="a", until=until)
