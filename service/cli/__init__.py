"""The `autojoin` command line: migrate, run, import, meetings, calendars, plan, simulate."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import click

from service.cli.calendars import calendars, preview
from service.cli.common import GuardedGroup, config_path, fail, run, say
from service.cli.meetings import import_, meetings, plan_
from service.cli.simulate import simulate
from service.config import Settings, load_settings
from service.core.errors import ConfigError
from service.credentials import load_api_key
from service.logging_setup import configure_logging


@click.group(cls=GuardedGroup)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="config file (default: $AUTOJOIN_CONFIG, else ./config.yaml if present)",
)
@click.option("--debug", is_flag=True, help="on an error, print its traceback too")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None, debug: bool) -> None:
    """autojoin: books a Mavera recording bot for every scheduled meeting, exactly once."""
    settings = load_settings(config_path(config_file), os.environ)
    configure_logging(settings.logging.level)
    ctx.obj = settings


@cli.command()
@click.pass_obj
def migrate(settings: Settings) -> None:
    """Create or upgrade the database schema (Alembic, to head)."""
    from service.composition import migrate as upgrade

    upgrade(settings)
    say("database schema is up to date")


@cli.command(name="run")
@click.pass_obj
def run_(settings: Settings) -> None:
    """Run the daemon. Without MAVERA_API_KEY it runs a demo against a local simulator."""
    from service.app import run_daemon

    try:
        api_key = load_api_key(os.environ, settings.mavera.api_key_file)
    except ConfigError as exc:
        fail(exc)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run_daemon(settings, api_key, stop)

    run(main)


for command in (import_, meetings, plan_, calendars, preview, simulate):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="autojoin")
