"""The daemon's life: open its parts (the composition root), start, run until stopped, stop."""

from __future__ import annotations

import asyncio
import logging

from service.composition import Opened, open_daemon
from service.config import Settings
from service.credentials import ApiKey
from service.demo import demo_rows

log = logging.getLogger(__name__)


async def run_daemon(settings: Settings, api_key: ApiKey | None, stop: asyncio.Event) -> None:
    """Run until ``stop`` is set. Without an API key: demo mode against the local simulator."""
    async with open_daemon(settings, api_key) as opened:
        if opened.demo:
            counts = await opened.use_cases.imports.json(demo_rows(opened.clock.now()))
            log.warning(
                "DEMO MODE: %d demo meetings added, starting in 2-6 minutes", counts.inserted
            )
        await _start(opened)
        try:
            worker = opened.daemon.dispatch.worker_id
            log.info("autojoin running (worker %s); Ctrl-C stops it", worker)
            await stop.wait()
            log.info("stopping: finishing in-flight dispatches")
        finally:
            await opened.daemon.runner.stop()


async def _start(opened: Opened) -> None:
    # On SQLite this process is the only daemon (the lock says so): every claim left in the
    # database belongs to a dead process and is reconciled at once rather than after its lease.
    daemon, now = opened.daemon, opened.clock.now()
    expired = await daemon.dispatch.expire_leases(now=now, all_claims=opened.sole)
    if expired:
        log.warning("%d claims from a stopped daemon will be reconciled before any resend", expired)
    daemon.runner.start()
