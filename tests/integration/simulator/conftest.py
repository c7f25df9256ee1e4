"""Fixtures for the simulator tests: a simulator on loopback per test, with a FakeClock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any

import aiohttp
import pytest

from service.simulator import OutcomeMix, SimulatorSettings, running_simulator
from tests.fakes.clock import FakeClock
from tests.integration.simulator.support import TEST_DURATIONS, Api, StartApi


@pytest.fixture
async def exit_stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as stack:
        yield stack


@pytest.fixture
def start(exit_stack: AsyncExitStack) -> StartApi:
    async def start_api(**changes: Any) -> Api:
        clock = FakeClock()
        base = SimulatorSettings(rpm=10_000, durations=TEST_DURATIONS, mix=OutcomeMix(), seed=7)
        settings = replace(base, **changes)
        served = await exit_stack.enter_async_context(running_simulator(settings, clock=clock))
        http = await exit_stack.enter_async_context(aiohttp.ClientSession())
        return Api(http=http, served=served, clock=clock)

    return start_api
