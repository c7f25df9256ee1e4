"""A faithful, clock-driven simulator of Mavera's Meetings API for tests, demos and benchmarks."""

from __future__ import annotations

from service.simulator.app import API_PREFIX, make_simulator_app
from service.simulator.bots import Outcome, SimBot, TimelineEntry
from service.simulator.errors import ApiError
from service.simulator.ratelimit import RateDecision, SlidingWindowLimiter
from service.simulator.server import RunningSimulator, running_simulator, serve_forever
from service.simulator.settings import Durations, Faults, OutcomeMix, SimulatorSettings
from service.simulator.state import SIMULATOR_KEY, RequestRecord, Simulator, key_hash

__all__ = [
    "API_PREFIX",
    "SIMULATOR_KEY",
    "ApiError",
    "Durations",
    "Faults",
    "Outcome",
    "OutcomeMix",
    "RateDecision",
    "RequestRecord",
    "RunningSimulator",
    "SimBot",
    "Simulator",
    "SimulatorSettings",
    "SlidingWindowLimiter",
    "TimelineEntry",
    "key_hash",
    "make_simulator_app",
    "running_simulator",
    "serve_forever",
]
