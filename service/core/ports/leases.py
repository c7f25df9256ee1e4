"""The leases port: named singleton leases, so a periodic job runs on one replica at a time."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol


class Leases(Protocol):
    """Named leases held by one ``holder`` (this process) among the replicas of a store.

    Besides what is listed, every method raises what the store fails with while it cannot be
    reached (see the ``core.ports`` package).
    """

    holder: str

    async def hold(self, name: str, *, now: datetime, ttl: timedelta) -> bool:
        """Take or renew the lease ``name`` until ``now + ttl``; False (nothing changed) while
        another holder's lease is live."""
        ...

    async def release(self, name: str) -> None:
        """Give the lease up at once (clean shutdown), so another replica need not wait; a
        lease this holder does not hold is left as it is."""
        ...
