"""Tracker: reads the statuses of booked bots when they are due and records every change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from service.errors import MaveraError, MaveraNotFound
from service.lifecycle import observe
from service.model import Bot, RemoteBot
from service.polling import PollingPolicy, next_check_at
from service.ports import BotApi, Clock, TrackingStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrackingSettings:
    policy: PollingPolicy
    batch_size: int = 50
    retry_after_error: timedelta = timedelta(seconds=30)


class Tracker:
    def __init__(
        self, *, store: TrackingStore, api: BotApi, clock: Clock, settings: TrackingSettings
    ) -> None:
        self._store = store
        self._api = api
        self._clock = clock
        self._settings = settings

    async def refresh_due(self) -> int:
        """Read every bot whose check is due (one batch); return how many were read."""
        bots = await self._store.due_for_check(
            now=self._clock.now(), limit=self._settings.batch_size
        )
        for bot in bots:
            await self._refresh(bot)
        return len(bots)

    async def _refresh(self, bot: Bot) -> None:
        assert bot.mavera_id is not None
        try:
            remote = await self._api.get_bot(bot.mavera_id)
        except MaveraNotFound:
            log.error(
                "bot %s of meeting %d is unknown to Mavera; tracking stopped",
                bot.mavera_id,
                bot.meeting_id,
            )
            await self._store.stop_tracking(
                bot.id,
                now=self._clock.now(),
                code="not_found",
                message="Mavera does not know this bot",
            )
            return
        except MaveraError as exc:
            log.warning("reading bot %s failed (%s); will retry", bot.mavera_id, exc)
            now = self._clock.now()
            retry_at = now + self._settings.retry_after_error
            await self._store.record_observation(
                bot.id, status=bot.status or "", changed=False, now=now, next_check_at=retry_at
            )
            return
        await self.apply(bot, remote)

    async def apply(self, bot: Bot, remote: RemoteBot) -> None:
        """Record what a read (single or from a list page) said about ``bot``."""
        now = self._clock.now()
        seen = observe(bot.status, remote.status)
        if not seen.known:
            log.warning(
                "bot %s reports an undocumented status %r; kept, watched slowly",
                remote.mavera_id,
                remote.status,
            )
        elif seen.record and not seen.expected:
            log.warning(
                "bot %s went from %s to %s (unexpected order)",
                remote.mavera_id,
                bot.status,
                remote.status,
            )
        status = remote.status if seen.record else bot.status
        track_until = bot.track_until or now
        following = next_check_at(
            status,
            join_at=bot.join_at,
            track_until=track_until,
            now=now,
            policy=self._settings.policy,
        )
        if following is None and now >= track_until and status is not None:
            log.warning("bot %s: tracking deadline passed at status %s", remote.mavera_id, status)
        await self._store.record_observation(
            bot.id,
            status=status or remote.status,
            changed=seen.record,
            now=now,
            next_check_at=following,
        )
        if seen.record:
            log.info("bot %s of meeting %d: %s", remote.mavera_id, bot.meeting_id, remote.status)
