"""What the use cases' unit tests share: the memory store, a fake Mavera API, the fake clock,
and the use cases built on them with the daemon's default settings (no engine, no HTTP)."""

from __future__ import annotations

from datetime import datetime, timedelta

from service.adapters.local_budget import LocalBudget
from service.adapters.memory import MemoryStore
from service.core.polling import PollingPolicy
from service.core.timing import PlannedMeeting
from service.usecases.dispatch import Dispatcher, DispatchSettings
from service.usecases.track import Tracker, TrackingSettings
from tests.conftest import T0
from tests.factories import planned, upsert
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.clock import FakeClock

FREEZE = timedelta(minutes=5)
LEASE = timedelta(seconds=90)
SETTLE = timedelta(seconds=40)
# Starts ten minutes from T0: its bot joins a minute before, its create is due at once.
START = T0 + timedelta(minutes=10)
URL = "https://acme.zoom.us/j/81234567890"
POLICY = PollingPolicy(
    in_call=timedelta(seconds=30),
    near_join=timedelta(minutes=5),
    far=timedelta(hours=1),
    processing=timedelta(minutes=2),
)


def dispatcher(
    memory: MemoryStore,
    api: FakeBotApi,
    budget: LocalBudget,
    clock: FakeClock,
    *,
    worker_id: str = "w1",
) -> Dispatcher:
    return Dispatcher(
        store=memory.dispatch(worker_id),
        api=api,
        budget=budget,
        clock=clock,
        settings=DispatchSettings(
            bot_name="autojoin",
            workspace_id=None,
            lease=LEASE,
            batch_size=20,
            settle=SETTLE,
            give_up_after=timedelta(hours=2),
            polling=POLICY,
            freeze=FREEZE,
        ),
    )


def tracker(memory: MemoryStore, api: FakeBotApi, clock: FakeClock) -> Tracker:
    return Tracker(
        store=memory.tracking, api=api, clock=clock, settings=TrackingSettings(policy=POLICY)
    )


def meeting(*, start_at: datetime = START, key: str = "uid-1", url: str = URL) -> PlannedMeeting:
    return planned(start_at=start_at, key=key, meeting_url=url)


async def seed(memory: MemoryStore, *items: PlannedMeeting, now: datetime = T0) -> list[int]:
    """Import the meetings (by default one, due at once); their ids, by start."""
    await upsert(memory.sources, list(items) or [meeting()], now=now)
    return [view.meeting.id for view in await memory.meetings.views()]
