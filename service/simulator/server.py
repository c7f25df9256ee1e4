"""Serving the simulator on a socket: `running_simulator` for tests, `serve_forever` for the CLI."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web

from service.adapters.clock import SystemClock
from service.core.ports import Clock
from service.simulator.app import API_PREFIX, make_simulator_app
from service.simulator.settings import SimulatorSettings
from service.simulator.state import SIMULATOR_KEY, Simulator

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunningSimulator:
    """A served simulator: ``base_url`` is the API root, ``root_url`` hosts ``/_sim/``."""

    base_url: str
    root_url: str
    state: Simulator


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@asynccontextmanager
async def running_simulator(
    settings: SimulatorSettings,
    *,
    clock: Clock | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
) -> AsyncIterator[RunningSimulator]:
    """Serve the simulator until the block exits (``port=0`` picks a free port)."""
    app = make_simulator_app(settings, clock=clock if clock is not None else SystemClock())
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        bound_port = runner.addresses[0][1]
        root_url = f"http://{_url_host(host)}:{bound_port}"
        yield RunningSimulator(
            base_url=f"{root_url}{API_PREFIX}", root_url=root_url, state=app[SIMULATOR_KEY]
        )
    finally:
        await runner.cleanup()


async def serve_forever(
    settings: SimulatorSettings, *, host: str = "127.0.0.1", port: int = 8099
) -> None:
    """Serve on the system clock until cancelled (Ctrl-C in the CLI)."""
    async with running_simulator(settings, host=host, port=port) as served:
        logger.info(
            "Mavera simulator listening on %s (%d requests/minute per key)",
            served.base_url,
            settings.rpm,
        )
        await asyncio.Event().wait()
