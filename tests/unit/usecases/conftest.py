"""Fixtures of the use cases' unit tests: a fresh memory store, fake API and budget each."""

from __future__ import annotations

import pytest

from service.adapters.local_budget import LocalBudget
from service.adapters.memory import MemoryStore
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.clock import FakeClock
from tests.unit.usecases.support import FREEZE


@pytest.fixture
def memory() -> MemoryStore:
    return MemoryStore(freeze=FREEZE)


@pytest.fixture
def api(clock: FakeClock) -> FakeBotApi:
    return FakeBotApi(clock=clock)


@pytest.fixture
def budget(clock: FakeClock) -> LocalBudget:
    return LocalBudget(limit=600, read_share=0.5, clock=clock)
