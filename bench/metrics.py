"""Pure measurements over what the simulator and the store recorded: bots per meeting, lags."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from bench.db import BotRow, ChangeRow, MeetingRow
from bench.sim import SimBotView

Key = tuple[str, datetime | None]
# The statuses of a bot "in its meeting" whose observation delay counts as status lag.
IN_MEETING = frozenset(
    {
        "joining_call",
        "in_waiting_room",
        "in_call_not_recording",
        "in_call_recording",
        "call_ended",
    }
)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100); NaN for no values, inf stays inf."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def live_groups(bots: Iterable[SimBotView]) -> dict[Key, list[SimBotView]]:
    """Non-cancelled bots grouped by (meeting_url, requested join_at), as Mavera saw them."""
    groups: dict[Key, list[SimBotView]] = {}
    for bot in bots:
        if bot.live:
            groups.setdefault((bot.meeting_url, bot.requested_join_at), []).append(bot)
    return groups


def duplicate_count(bots: Iterable[SimBotView]) -> int:
    """Bots beyond the first in every (meeting_url, join_at) group of live bots."""
    return sum(len(group) - 1 for group in live_groups(bots).values() if len(group) > 1)


def first_bots(
    meetings: Sequence[MeetingRow], bots: Iterable[SimBotView]
) -> dict[int, SimBotView | None]:
    """Each meeting's earliest live bot with its link and join time (None: it has none)."""
    groups = live_groups(bots)
    found: dict[int, SimBotView | None] = {}
    for meeting in meetings:
        group = groups.get((meeting.meeting_url, meeting.join_at), [])
        found[meeting.id] = min(group, key=lambda bot: bot.created_at) if group else None
    return found


def margins(meetings: Sequence[MeetingRow], bots: Iterable[SimBotView]) -> list[float]:
    """Seconds from each booked meeting's bot creation to its join_at (negative: late)."""
    by_id = {meeting.id: meeting for meeting in meetings}
    return [
        (by_id[meeting_id].join_at - bot.created_at).total_seconds()
        for meeting_id, bot in first_bots(meetings, bots).items()
        if bot is not None
    ]


def missing_count(meetings: Sequence[MeetingRow], bots: Iterable[SimBotView]) -> int:
    return sum(1 for bot in first_bots(meetings, bots).values() if bot is None)


def _first_seen(
    timeline: Sequence[tuple[str, datetime]], seen: Sequence[ChangeRow]
) -> list[datetime | None]:
    """For each timeline entry, when the store first held that status or a later one."""
    index = {status: i for i, (status, _) in enumerate(timeline)}
    earliest: list[datetime | None] = [None] * len(timeline)
    for change in seen:
        reached = index.get(change.status)
        if reached is None:
            continue
        for i in range(reached + 1):
            current = earliest[i]
            if current is None or change.observed_at < current:
                earliest[i] = change.observed_at
    return earliest


def status_lags(
    sim_bots: Mapping[str, SimBotView],
    db_bots: Sequence[BotRow],
    changes: Sequence[ChangeRow],
    *,
    until: datetime,
) -> list[float]:
    """Seconds from each in-meeting status change (up to ``until``) to our record of it.

    A change the store never recorded counts as ``inf``.
    """
    by_bot: dict[int, list[ChangeRow]] = {}
    for change in changes:
        by_bot.setdefault(change.bot_id, []).append(change)
    lags: list[float] = []
    for row in db_bots:
        sim_bot = sim_bots.get(row.mavera_id or "")
        if sim_bot is None:
            continue
        seen = _first_seen(sim_bot.timeline, by_bot.get(row.id, []))
        for (status, at), observed in zip(sim_bot.timeline, seen, strict=True):
            if status in IN_MEETING and at <= until:
                lags.append(math.inf if observed is None else (observed - at).total_seconds())
    return lags
