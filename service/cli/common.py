"""Shared pieces of the command line: settings, running async work, exit codes."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from service.errors import ConfigError, InputError, ServiceError

T = TypeVar("T")
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2


def config_path(option: Path | None) -> Path | None:
    if option is not None:
        return option
    if os.environ.get("AUTOJOIN_CONFIG"):
        return Path(os.environ["AUTOJOIN_CONFIG"])
    default = Path("config.yaml")
    return default if default.exists() else None


def fail(exc: ServiceError) -> NoReturn:
    """One line on stderr; exit 2 for bad input or configuration, 1 for anything else."""
    click.echo(f"error: {exc}", err=True)
    bad_input = isinstance(exc, ConfigError | InputError)
    sys.exit(EXIT_BAD_INPUT if bad_input else EXIT_ERROR)


def read_input(path: Path, max_bytes: int) -> bytes:
    """A file named on the command line, read through the feeds' bounded reader: one that
    is larger than ``max_bytes`` (never read further) or unreadable is bad input."""
    from service.feeds.fetch import FeedFetchError, read_bounded

    try:
        return read_bounded(path, max_bytes)
    except FeedFetchError as exc:
        fail(InputError(str(path), str(exc)))


def run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        return await coro_factory()

    try:
        return asyncio.run(main())
    except ServiceError as exc:
        fail(exc)


def echo_json(value: object) -> None:
    import json

    click.echo(json.dumps(value, indent=2))
