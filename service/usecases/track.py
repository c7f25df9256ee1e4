"""Tracker: reads bot statuses when they are due, with as few requests as possible.

List pages come first when they are cheaper: one request reports up to a page of bots, and
every tracked bot on a page is updated, due or not. Bots the sweep did not reach are read
one by one. Terminal bots are never read; each read is followed by the next one the polling
policy asks for (often near the join, rarely far ahead, never after the tracking deadline).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.core.bot_states import observe
from service.core.conditions import request_log_level
from service.core.errors import MaveraError, MaveraNotFound
from service.core.list_order import ListOrder
from service.core.model import NOT_FOUND, Bot, BotStatus, Observed, RemoteBot
from service.core.polling import PollingPolicy, next_check_at
from service.core.ports import BotApi, Clock, TrackingStore
from service.core.timestamps import utc_iso

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackingSettings:
    policy: PollingPolicy
    workspace_id: str | None = None
    due_limit: int = 5000
    singles_per_pass: int = 60
    page_size: int = 100
    max_pages: int = 30
    skew: timedelta = timedelta(minutes=5)
    retry_after_error: timedelta = timedelta(seconds=30)
    # A bot is given up only after a second 404 this much later: one 404 can be a read that
    # reached Mavera before the bot did.
    confirm_lost_after: timedelta = timedelta(minutes=3)


class Tracker:
    def __init__(
        self, *, store: TrackingStore, api: BotApi, clock: Clock, settings: TrackingSettings
    ) -> None:
        self._store = store
        self._api = api
        self._clock = clock
        self._settings = settings

    async def refresh_due(self) -> int:
        """One pass over the bots whose read is due; return how many bots were updated."""
        due = await self._store.due_for_check(now=self._clock.now(), limit=self._settings.due_limit)
        if not due:
            return 0
        updated: set[str] = set()
        pages = await self._pages_worth_sweeping(due)
        if pages:
            updated = await self._sweep(due, max_pages=pages)
        singles = [bot for bot in due if bot.mavera_id not in updated]
        for bot in singles[: self._settings.singles_per_pass]:
            await self._read_one(bot)
        return len(updated) + min(len(singles), self._settings.singles_per_pass)

    async def _pages_worth_sweeping(self, due: Sequence[Bot]) -> int:
        """How many list pages to read (0: single reads are cheaper).

        Our own bots created since the oldest due one tell how deep it lies in a newest-first
        list; the list may also hold bots that are not ours, so the sweep gets a little more
        than that and no more: what it does not reach is read singly.
        """
        since = _since(due, self._settings.skew)
        if since is None or len(due) < 2:
            return 0
        newer = await self._store.count_created_since(since)
        needed = math.ceil(max(newer, 1) / self._settings.page_size)
        if needed >= len(due):
            return 0
        return min(self._settings.max_pages, needed + 1, len(due) - 1)

    async def _sweep(self, due: Sequence[Bot], *, max_pages: int) -> set[str]:
        """Read list pages until every due bot was seen or the list is past them."""
        wanted = {bot.mavera_id for bot in due if bot.mavera_id}
        since = _since(due, self._settings.skew)
        order = ListOrder(since)
        seen: set[str] = set()
        pages = self._api.list_pages(
            workspace_id=self._settings.workspace_id,
            page_size=self._settings.page_size,
            max_pages=max_pages,
        )
        try:
            async for page in pages:
                seen |= await self._apply_page(page.bots)
                order.follow(page.bots)
                if wanted <= seen or order.past_since:
                    break
        except MaveraError as exc:
            log.log(request_log_level(exc), "status sweep stopped early: %s", exc)
        return seen

    async def _apply_page(self, remotes: Sequence[RemoteBot]) -> set[str]:
        tracked = await self._store.tracked([remote.mavera_id for remote in remotes])
        now = self._clock.now()
        await self._found_again(list(tracked.values()), now)
        writes = [
            self._observed(tracked[remote.mavera_id], remote, now)
            for remote in remotes
            if remote.mavera_id in tracked
        ]
        await self._store.record_observations(writes, now=now)
        return {remote.mavera_id for remote in remotes if remote.mavera_id in tracked}

    async def _read_one(self, bot: Bot) -> None:
        assert bot.mavera_id is not None
        try:
            remote = await self._api.get_bot(bot.mavera_id)
        except MaveraNotFound:
            await self._not_found(bot)
            return
        except MaveraError as exc:
            level = request_log_level(exc)
            log.log(level, "reading bot %s failed (%s); will retry", bot.mavera_id, exc)
            now = self._clock.now()
            later = Observed(
                bot_id=bot.id,
                status=bot.status or "",
                changed=False,
                next_check_at=now + self._settings.retry_after_error,
            )
            await self._store.record_observations([later], now=now)
            return
        now = self._clock.now()
        await self._found_again([bot], now)
        await self._store.record_observations([self._observed(bot, remote, now)], now=now)

    async def _not_found(self, bot: Bot) -> None:
        """A first 404 asks for a second read later; a second one gives the bot up."""
        now = self._clock.now()
        if bot.last_error_code != NOT_FOUND:
            retry_at = now + self._settings.confirm_lost_after
            log.info(
                "bot %s of meeting %d: Mavera answered 404; reading it again at %s",
                bot.mavera_id,
                bot.meeting_id,
                utc_iso(retry_at),
            )
            message = f"Mavera answered 404 at {utc_iso(now)}"
            await self._store.record_missing(bot.id, now=now, retry_at=retry_at, message=message)
            return
        # No new bot is booked: a 404 can also mean the key now belongs to another account,
        # where a second bot for the same call would be sent.
        message = f"bot {bot.mavera_id} no longer exists at Mavera (404)"
        failed = await self._store.record_lost(bot.id, now=now, message=message)
        log.error(
            "ALERT: meeting %d: %s; tracking stopped%s",
            bot.meeting_id,
            message,
            ", meeting failed (no new bot is booked by itself)" if failed else "",
        )

    async def _found_again(self, bots: Sequence[Bot], now: datetime) -> None:
        found = [bot for bot in bots if bot.last_error_code == NOT_FOUND]
        for bot in found:
            log.info("bot %s of meeting %d is known to Mavera again", bot.mavera_id, bot.meeting_id)
        if found:
            await self._store.record_found([bot.id for bot in found], now=now)

    def _observed(self, bot: Bot, remote: RemoteBot, now: datetime) -> Observed:
        """What a read (single or from a list page) says about ``bot``, logged once."""
        seen = observe(bot.status, remote.status)
        if seen.record:
            _log_change(bot, remote, expected=seen.expected, known=seen.known)
        status = remote.status if seen.record else (bot.status or remote.status)
        track_until = bot.track_until or now
        following = next_check_at(
            status,
            join_at=bot.join_at,
            track_until=track_until,
            now=now,
            policy=self._settings.policy,
        )
        if following is None and now >= track_until:
            log.warning("bot %s: tracking deadline passed at status %s", remote.mavera_id, status)
        return Observed(bot_id=bot.id, status=status, changed=seen.record, next_check_at=following)


def _log_change(bot: Bot, remote: RemoteBot, *, expected: bool, known: bool) -> None:
    if not known:
        log.warning(
            "bot %s reports an undocumented status %r; kept, watched slowly",
            remote.mavera_id,
            remote.status,
        )
    elif not expected:
        log.warning(
            "bot %s went from %s to %s (unexpected order)",
            remote.mavera_id,
            bot.status,
            remote.status,
        )
    log.info("bot %s of meeting %d: %s", remote.mavera_id, bot.meeting_id, remote.status)
    if remote.status == BotStatus.CANCELLED:
        # autojoin closes a booking before it cancels its bot: this one was cancelled
        # elsewhere (Mavera's dashboard), and the meeting is left without a recording.
        log.error(
            "ALERT: bot %s of meeting %d was cancelled outside autojoin",
            remote.mavera_id,
            bot.meeting_id,
        )


def _since(due: Sequence[Bot], skew: timedelta) -> datetime | None:
    starts = [bot.requested_at for bot in due if bot.requested_at is not None]
    return min(starts) - skew if starts else None
