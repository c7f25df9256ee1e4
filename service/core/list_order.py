"""ListOrder: whether a walk through Mavera's bot list can stop (pure).

The list's sort order is not documented. A walk may stop early only once the pages seen so
far were newest-first (checked, not assumed) and the last bot was created before ``since``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from service.core.model import RemoteBot


class ListOrder:
    def __init__(self, since: datetime | None) -> None:
        self._since = since
        self._last: datetime | None = None
        self._newest_first = True
        self._passed = False

    def follow(self, remotes: Iterable[RemoteBot]) -> None:
        for remote in remotes:
            created = remote.created_at
            if created is None or (self._last is not None and created > self._last):
                self._newest_first = False
            if created is not None:
                self._last = created
                if self._since is not None and created < self._since:
                    self._passed = True

    @property
    def past_since(self) -> bool:
        """True once later pages cannot hold a bot created at or after ``since``."""
        return self._newest_first and self._passed
