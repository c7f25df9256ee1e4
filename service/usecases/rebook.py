"""Rebooking: a booked bot that no longer fits its meeting is cancelled (and the meeting
booked again if it still wants a bot), unless the freeze window before its join has begun."""

from __future__ import annotations

import logging
from datetime import timedelta

from service.core.bot_states import is_terminal
from service.core.dispatch.claims import Claim, Intent
from service.core.dispatch.notes import FROZEN_CHANGE
from service.core.errors import MaveraError, MaveraNotFound, MaveraRejected
from service.core.ports import BotApi, Clock, DispatchStore
from service.core.timing import frozen

log = logging.getLogger(__name__)
RETRY_CANCEL = timedelta(seconds=30)


async def rebook(
    claim: Claim, *, store: DispatchStore, api: BotApi, clock: Clock, freeze: timedelta
) -> list[Intent]:
    """Cancel the claim's booked bot; return the create intent if the meeting still wants one."""
    bot = claim.booked_bot
    assert bot is not None
    assert bot.mavera_id is not None
    now = clock.now()
    if frozen(bot.join_at, now=now, freeze=freeze):
        log.info("meeting %d %s", claim.meeting_id, FROZEN_CHANGE)
        await store.keep_booked(claim, now=now, reason=FROZEN_CHANGE)
        return []
    try:
        await api.cancel_bot(bot.mavera_id, reason="the meeting changed")
        status = "cancelled"
    except MaveraNotFound:
        status = "cancelled"
    except MaveraRejected as exc:
        return await _refused(claim, bot.mavera_id, exc, store=store, api=api, clock=clock)
    except MaveraError as exc:
        log.warning("cancelling bot %s failed (%s); will retry", bot.mavera_id, exc)
        await store.release(claim, now=clock.now(), retry_at=clock.now() + RETRY_CANCEL)
        return []
    log.info("meeting %d changed: bot %s cancelled", claim.meeting_id, bot.mavera_id)
    batch = await store.record_cancelled(claim, now=clock.now(), status=status)
    return list(batch.intents)


async def _refused(
    claim: Claim,
    mavera_id: str,
    exc: MaveraRejected,
    *,
    store: DispatchStore,
    api: BotApi,
    clock: Clock,
) -> list[Intent]:
    """Mavera would not cancel: a finished bot is simply closed; a running one is kept."""
    try:
        remote = await api.get_bot(mavera_id)
    except MaveraError:
        await store.release(claim, now=clock.now(), retry_at=clock.now() + RETRY_CANCEL)
        return []
    if is_terminal(remote.status):
        batch = await store.record_cancelled(claim, now=clock.now(), status=remote.status)
        return list(batch.intents)
    log.error("ALERT: Mavera refused to cancel bot %s (%s); it is left as it is", mavera_id, exc)
    await store.keep_booked(claim, now=clock.now(), reason=f"Mavera refused the cancel: {exc}")
    return []
