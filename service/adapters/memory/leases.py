"""MemoryLeases: named singleton leases among the "replicas" sharing one ``MemoryState``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.adapters.memory.rows import LeaseRow
from service.adapters.memory.state import MemoryState

# A released lease ends at the epoch: free for anyone at once.
RELEASED = datetime(1970, 1, 1, tzinfo=UTC)


class MemoryLeases:
    """The ``Leases`` port on a ``MemoryState``: one holder per name while its lease lives."""

    def __init__(self, state: MemoryState, *, holder: str) -> None:
        self._state = state
        self.holder = holder

    async def hold(self, name: str, *, now: datetime, ttl: timedelta) -> bool:
        with self._state.transaction() as state:
            lease = state.leases.get(name)
            if lease is not None and lease.holder != self.holder and not lease.until < now:
                return False
            state.leases.put(LeaseRow(name=name, holder=self.holder, until=now + ttl))
        return True

    async def release(self, name: str) -> None:
        with self._state.transaction() as state:
            lease = state.leases.get(name)
            if lease is not None and lease.holder == self.holder:
                state.leases.put(LeaseRow(name=name, holder=self.holder, until=RELEASED))
