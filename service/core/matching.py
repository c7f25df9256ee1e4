"""Pure reconciliation: find, in Mavera's bot list, the bots that ambiguous creates made."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from service.core.errors import InvalidMeetingUrl
from service.core.list_order import ListOrder
from service.core.meeting_links import normalize_meeting_url
from service.core.model import Bot, BotStatus, RemoteBot

MatchKey = tuple[str, int]


def canonical_url(url: str) -> str:
    try:
        return normalize_meeting_url(url).url
    except InvalidMeetingUrl:
        return url.strip()


def match_key(url: str | None, join_at: datetime | None) -> MatchKey | None:
    """Bots are matched on (meeting URL, join_at to the second): Mavera has no metadata field."""
    if url is None or join_at is None:
        return None
    return canonical_url(url), int(join_at.timestamp())


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolution:
    adopt: dict[int, RemoteBot]
    duplicates: list[RemoteBot]


@dataclass(slots=True)
class ListScan:
    """Accumulates list pages until every pending booking is resolved or provably absent.

    ``since`` bounds how far back a bot of ours can have been created. When the list is
    newest-first (checked, not assumed), the scan can stop at the first bot older than that.
    """

    pending: Sequence[Bot]
    skew: timedelta
    _wanted: dict[MatchKey, list[Bot]] = field(default_factory=dict)
    _found: dict[MatchKey, list[RemoteBot]] = field(default_factory=dict)
    _since: datetime | None = None
    _order: ListOrder = field(default_factory=lambda: ListOrder(None))

    def __post_init__(self) -> None:
        for bot in self.pending:
            key = match_key(bot.meeting_url, bot.join_at)
            if key is not None:
                self._wanted.setdefault(key, []).append(bot)
        starts = [bot.requested_at for bot in self.pending if bot.requested_at is not None]
        self._since = min(starts) - self.skew if starts else None
        self._order = ListOrder(self._since)

    def add_page(self, bots: Iterable[RemoteBot], *, known: set[str]) -> None:
        bots = list(bots)
        self._order.follow(bots)
        for remote in bots:
            key = match_key(remote.meeting_url, remote.join_at)
            # A cancelled bot records nothing: adopting it would leave the meeting without one.
            usable = remote.status != BotStatus.CANCELLED and remote.mavera_id not in known
            if key in self._wanted and usable and self._recent(remote):
                self._found.setdefault(key, []).append(remote)

    def complete(self) -> bool:
        """True once later pages cannot hold a bot of ours."""
        return self._order.past_since

    def resolve(self) -> Resolution:
        """Pair bookings and found bots per key, oldest with oldest; extra bots are duplicates
        (our own earlier attempts that did go through), to be cancelled."""
        adopt: dict[int, RemoteBot] = {}
        duplicates: list[RemoteBot] = []
        for key, remotes in self._found.items():
            remotes = sorted(remotes, key=_created_order)
            bookings = sorted(
                self._wanted[key], key=lambda bot: (bot.requested_at or _EPOCH, bot.id)
            )
            adopt.update((bot.id, remote) for bot, remote in zip(bookings, remotes, strict=False))
            duplicates.extend(remotes[len(bookings) :])
        return Resolution(adopt=adopt, duplicates=duplicates)

    def _recent(self, remote: RemoteBot) -> bool:
        if self._since is None or remote.created_at is None:
            return True
        return remote.created_at >= self._since


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _created_order(remote: RemoteBot) -> tuple[datetime, str]:
    return remote.created_at or _EPOCH, remote.mavera_id
