"""The one test with a real APScheduler: timers and ticks drive dispatch on the real clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from service.adapters.clock import SystemClock
from service.config import Settings
from service.core.dispatch.states import DispatchState
from service.core.timestamps import utc_iso
from tests.factories import import_rows
from tests.integration.world import world


async def test_runner_dispatches_due_meetings_and_timers_fire_on_time(engine: AsyncEngine) -> None:
    clock = SystemClock()
    settings = Settings.model_validate(
        {
            "scheduler": {"tick_seconds": 60, "join_lead_seconds": 0},
            "planner": {"min_lead_seconds": 0, "deadline_margin_seconds": 0},
        }
    )
    now = datetime.now(UTC).replace(microsecond=0)
    soon = now + timedelta(seconds=2)
    rows = [
        {
            "title": "now",
            "meeting_url": "https://meet.google.com/abc-defg-hij",
            "start": utc_iso(now - timedelta(seconds=1)),
            "end": utc_iso(now + timedelta(hours=1)),
        },
        {
            "title": "soon",
            "meeting_url": "https://meet.google.com/abc-defg-hik",
            "start": utc_iso(soon),
            "end": utc_iso(soon + timedelta(hours=1)),
        },
    ]
    async with world(engine, clock, settings) as w:
        await import_rows(settings, w.daemon.engine, rows, clock)
        w.daemon.runner.start()
        try:
            async with asyncio.timeout(10):
                # The start-up pass books the due meeting and plants a timer for the next one;
                # the tick is a minute away, so only that timer can book the second in time.
                while not (timers := w.daemon.runner.timers()):  # noqa: ASYNC110 - real scheduler
                    await asyncio.sleep(0.02)
                first_pass = len(w.sim.state.bots)
                while len(w.sim.state.bots) < 2:  # noqa: ASYNC110 - real scheduler
                    await asyncio.sleep(0.02)
        finally:
            await w.daemon.runner.stop()
        views = await w.daemon.meetings.views()
        assert [v.meeting.dispatch_state for v in views] == [DispatchState.BOOKED] * 2
        assert list(timers.values()) == [soon]  # the near-term meeting had its own timer
        assert (first_pass, len(w.sim.state.bots)) == (1, 2)
