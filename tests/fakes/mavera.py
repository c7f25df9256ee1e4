"""Wiring for tests that talk to the Mavera simulator over loopback with a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import aiohttp

from service.adapters.alerting import LoggingAlerts
from service.adapters.local_budget import LocalBudget
from service.adapters.mavera.client import MaveraClient
from service.credentials import ApiKey
from service.simulator import OutcomeMix, RunningSimulator, SimulatorSettings, running_simulator
from tests.fakes.clock import FakeClock

TEST_KEY = "mvra_live_" + "t3st" * 8


@dataclass(frozen=True, slots=True, kw_only=True)
class Mavera:
    sim: RunningSimulator
    client: MaveraClient
    budget: LocalBudget
    session: aiohttp.ClientSession


def sim_settings(**changes: object) -> SimulatorSettings:
    """A deterministic simulator: every bot succeeds unless a test asks otherwise."""
    base = {"rpm": 600, "mix": OutcomeMix()}
    return SimulatorSettings(**{**base, **changes})  # type: ignore[arg-type]


@asynccontextmanager
async def mavera(
    clock: FakeClock,
    settings: SimulatorSettings | None = None,
    *,
    limit: int = 600,
    request_timeout: timedelta = timedelta(seconds=5),
    key: str = TEST_KEY,
) -> AsyncIterator[Mavera]:
    async with (
        running_simulator(settings or sim_settings(), clock=clock) as sim,
        aiohttp.ClientSession() as session,
    ):
        budget = LocalBudget(limit=limit, read_share=0.5, clock=clock)
        client = MaveraClient(
            session=session,
            base_url=sim.base_url,
            api_key=ApiKey(key),
            budget=budget,
            clock=clock,
            timeout=request_timeout,
            alerts=LoggingAlerts(clock=clock),
        )
        yield Mavera(sim=sim, client=client, budget=budget, session=session)
