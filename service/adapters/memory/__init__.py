"""The memory store: every store port (dispatch, tracking, sources, meetings, calendars, plans,
leases, the shared request budget) kept in dicts, with the SQL store's behaviour.

It asks the core the same questions the SQL store asks (the dispatch state table, the wish
and booking decisions, the source-update rule) and enforces what the database enforces
(unique Mavera ids, one active booking per meeting, references to real rows) by refusing the
write with ``Conflict``, handled where the SQL store handles ``IntegrityError``. The same
contract suite runs on it, on SQLite and on PostgreSQL; the use cases' unit tests run on it.
``MemoryStore`` is the whole store on one ``MemoryState``, with inspection helpers for tests.
"""

from __future__ import annotations

from service.adapters.memory.state import MemoryState
from service.adapters.memory.store import MemoryStore
from service.adapters.memory.tables import Conflict

__all__ = ["Conflict", "MemoryState", "MemoryStore"]
