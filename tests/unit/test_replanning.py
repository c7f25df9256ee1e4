"""The replanner tells a lasting overload once, not at every replan."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

import pytest

from service.adapters.alerting import LoggingAlerts
from service.adapters.local_budget import LocalBudget
from service.core.planner import Job, Policy
from service.usecases.replan import Replanner, ReplanSettings
from tests.fakes.clock import FakeClock


class FakePlanStore:
    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs

    async def waiting(self) -> tuple[list[Job], dict[int, datetime]]:
        return list(self.jobs), {}

    async def reschedule(self, times: Mapping[int, datetime], *, now: datetime) -> int:
        return len(times)


async def test_an_overload_is_one_alert_while_it_lasts_and_one_line_when_it_ends(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    soon = clock.now() + timedelta(minutes=1)
    store = FakePlanStore([Job(key=i, deadline=soon, join_at=soon) for i in range(100)])
    replanner = Replanner(
        store=store,
        budget=LocalBudget(limit=10, read_share=0.3, clock=clock),
        clock=clock,
        settings=ReplanSettings(
            policy=Policy.JUST_IN_TIME, min_lead=timedelta(minutes=10), read_share=0.3
        ),
        alerts=LoggingAlerts(clock=clock),
    )
    for _ in range(8):  # four minutes of replans every 30 s
        assert (await replanner.replan()).late
        clock.advance(30)
    later = clock.now() + timedelta(hours=1)
    store.jobs = [Job(key=1, deadline=later, join_at=later)]  # the peak has gone
    assert not (await replanner.replan()).late
    lines = [(r.levelno, r.getMessage()) for r in caplog.records]
    assert lines == [
        (
            logging.ERROR,
            "ALERT: planner cannot meet every deadline: 93 meetings cannot get their bot "
            "before the deadline at 10 requests/min (worst: meeting 99, 803 s late) (1 replan)",
        ),
        (logging.WARNING, "planner cannot meet every deadline: recovered after 4m00s (8 replans)"),
    ]
