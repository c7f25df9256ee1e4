"""`autojoin simulate`: the Mavera simulator on its own, for demos and benchmarks."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import timedelta
from typing import Any

import click

from service.simulator import Faults, OutcomeMix, SimulatorSettings, serve_forever


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8099, show_default=True, type=click.IntRange(0, 65535))
@click.option("--rpm", default=120, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--fast", is_flag=True, help="compress a bot's life into about two minutes")
@click.option("--call-seconds", type=click.FloatRange(0), help="how long each simulated call lasts")
@click.option("--all-succeed", is_flag=True, help="no failure outcomes (fatal, denied, ...)")
@click.option("--error-rate", default=0.0, type=click.FloatRange(0, 1), help="share of 5xx")
@click.option(
    "--error-after-create-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="share of creates that make the bot but answer 500",
)
@click.option(
    "--delayed-create-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="share of creates that make the bot but answer late",
)
@click.option("--delayed-create-seconds", default=30.0, type=click.FloatRange(0))
@click.option("--latency-seconds", default=0.0, type=click.FloatRange(0))
def simulate(host: str, port: int, **options: Any) -> None:
    """Serve the Mavera API simulator (for demos, benchmarks and manual testing)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_forever(simulator_settings(**options), host=host, port=port))


def simulator_settings(
    *,
    rpm: int,
    seed: int,
    fast: bool,
    call_seconds: float | None,
    all_succeed: bool,
    **faults: float,
) -> SimulatorSettings:
    settings = SimulatorSettings.fast() if fast else SimulatorSettings()
    durations = settings.durations
    if call_seconds is not None:
        durations = replace(durations, call=timedelta(seconds=call_seconds))
    mix = OutcomeMix() if all_succeed else settings.mix
    return replace(
        settings, rpm=rpm, seed=seed, durations=durations, mix=mix, faults=Faults(**faults)
    )
