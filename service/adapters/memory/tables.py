"""In-memory tables: rows by key, the unique and grouping indexes the database keeps, and a
journal that undoes a failed transaction's writes (what the database's rollback does)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Generic, TypeVar

K = TypeVar("K", int, str)
R = TypeVar("R")
Index = Callable[[R], Hashable | None]


class Conflict(Exception):
    """A write the database would refuse (a unique key taken, a reference to no row): the
    memory store's ``IntegrityError``, handled where the SQL store handles its own."""


class Table(Generic[K, R]):
    """Rows by key. A ``unique`` index refuses a second row with the same value (None is never
    indexed, as in SQL); a ``groups`` index finds every row with a value. Each write made
    while a journal is open can be undone."""

    def __init__(
        self,
        name: str,
        key: Callable[[R], K],
        *,
        unique: Mapping[str, Index[R]] | None = None,
        groups: Mapping[str, Index[R]] | None = None,
    ) -> None:
        self.name = name
        self._key: Callable[[R], K] = key
        self._rows: dict[K, R] = {}
        self._unique_of = dict(unique or {})
        self._group_of = dict(groups or {})
        self._unique: dict[str, dict[Hashable, K]] = {name: {} for name in self._unique_of}
        self._groups: dict[str, dict[Hashable, dict[K, None]]] = {n: {} for n in self._group_of}
        self._journal: list[tuple[K, R | None]] | None = None

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[R]:
        """Every row, by key."""
        return iter([self._rows[key] for key in sorted(self._rows)])

    def get(self, key: K) -> R | None:
        return self._rows.get(key)

    def find(self, index: str, value: Hashable) -> R | None:
        """The row whose unique ``index`` holds ``value``."""
        key = self._unique[index].get(value)
        return None if key is None else self._rows[key]

    def group(self, index: str, value: Hashable) -> list[R]:
        """Every row whose ``index`` holds ``value``, by key."""
        keys = self._groups[index].get(value, {})
        return [self._rows[key] for key in sorted(keys)]

    def put(self, row: R) -> None:
        """Insert ``row``, or replace the row with its key.

        :raises Conflict: another row holds one of its unique values (nothing is written).
        """
        key = self._key(row)
        for name, index in self._unique_of.items():
            value = index(row)
            holder = self._unique[name].get(value) if value is not None else None
            if holder is not None and holder != key:
                raise Conflict(f"{self.name}.{name}: {value!r} is taken")
        old = self._rows.get(key)
        self._log(key, old)
        self._set(key, old, row)

    def insert(self, row: R) -> None:
        """Insert ``row``; :raises Conflict: its key or a unique value is taken."""
        if self._key(row) in self._rows:
            raise Conflict(f"{self.name}: key {self._key(row)!r} is taken")
        self.put(row)

    def delete(self, key: K) -> None:
        old = self._rows.get(key)
        if old is not None:
            self._log(key, old)
            self._set(key, old, None)

    def begin(self) -> None:
        self._journal = []

    def commit(self) -> None:
        self._journal = None

    def rollback(self) -> None:
        """Undo every write since ``begin``, newest first."""
        journal, self._journal = self._journal or [], None
        for key, old in reversed(journal):
            self._set(key, self._rows.get(key), old)

    def _log(self, key: K, old: R | None) -> None:
        if self._journal is not None:
            self._journal.append((key, old))

    def _set(self, key: K, old: R | None, new: R | None) -> None:
        if old is not None:
            self._unindex(key, old)
            del self._rows[key]
        if new is not None:
            self._rows[key] = new
            self._index(key, new)

    def _index(self, key: K, row: R) -> None:
        for name, index in self._unique_of.items():
            value = index(row)
            if value is not None:
                self._unique[name][value] = key
        for name, index in self._group_of.items():
            self._groups[name].setdefault(index(row), {})[key] = None

    def _unindex(self, key: K, row: R) -> None:
        for name, index in self._unique_of.items():
            value = index(row)
            if value is not None and self._unique[name].get(value) == key:
                del self._unique[name][value]
        for name, index in self._group_of.items():
            members = self._groups[name].get(index(row), {})
            members.pop(key, None)
