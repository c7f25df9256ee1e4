"""Shared pieces of the command line: settings, output, exit codes, the last-resort guard.

Everything the command line prints goes through ``say``, ``fail`` or ``echo_json``: text
from calendars, import files, the store and Mavera never reaches the terminal with its
control characters live (``untrusted.escape_text``), and no failure prints a traceback
unless the operator asked for one (``--debug`` or ``logging.level: DEBUG``).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final, NoReturn, TypeVar
from urllib.parse import urlsplit

import click

from service.config import Settings
from service.core.errors import ConfigError, InputError, ServiceError
from service.core.untrusted import escape_text

T = TypeVar("T")
EXIT_ERROR = 1
EXIT_BAD_INPUT = 2
MESSAGE_LIMIT: Final = 300
DEBUG_HINT: Final = "run with --debug or logging.level DEBUG for the traceback"
_URL: Final = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def config_path(option: Path | None) -> Path | None:
    if option is not None:
        return option
    if os.environ.get("AUTOJOIN_CONFIG"):
        return Path(os.environ["AUTOJOIN_CONFIG"])
    default = Path("config.yaml")
    return default if default.exists() else None


def say(text: str) -> None:
    """One line (or a few) on stdout, control characters escaped."""
    click.echo(escape_text(text))


def fail(exc: ServiceError) -> NoReturn:
    """One line on stderr; exit 2 for bad input or configuration, 1 for anything else."""
    click.echo(f"error: {escape_text(str(exc))}", err=True)
    bad_input = isinstance(exc, ConfigError | InputError)
    sys.exit(EXIT_BAD_INPUT if bad_input else EXIT_ERROR)


def read_input(path: Path, max_bytes: int) -> bytes:
    """A file named on the command line, read through the feeds' bounded reader: one that
    is larger than ``max_bytes`` (never read further) or unreadable is bad input."""
    from service.adapters.feeds.fetch import FeedFetchError, read_bounded

    try:
        return read_bounded(path, max_bytes)
    except FeedFetchError as exc:
        fail(InputError(str(path), str(exc)))


def run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    """Run async work to its end; its errors reach the guard of the ``autojoin`` group."""

    async def main() -> T:
        return await coro_factory()

    return asyncio.run(main())


def echo_json(value: object) -> None:
    # ensure_ascii: every control or non-ASCII character is written as a \\u escape.
    click.echo(json.dumps(value, indent=2, ensure_ascii=True))


class GuardedGroup(click.Group):
    """The last resort: whatever a command raises ends as one line on stderr."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise  # click prints these itself, as one line
        except BrokenPipeError:
            raise  # the reader went away (`| head`): click exits quietly
        except ServiceError as exc:
            _traceback_if_asked(ctx, exc)
            fail(exc)
        except Exception as exc:
            _traceback_if_asked(ctx, exc)
            click.echo(f"error: {unexpected(exc)}", err=True)
            sys.exit(EXIT_ERROR)


def unexpected(exc: BaseException) -> str:
    """``unexpected error: <type>: <first line, URLs cut to their host>; <hint>``."""
    lines = str(exc).strip().splitlines()
    message = _URL.sub(_masked, lines[0]) if lines else ""
    if len(message) > MESSAGE_LIMIT:
        message = message[: MESSAGE_LIMIT - 1] + "…"
    kind = type(exc).__name__
    said = f"{kind}: {message}" if message else kind
    return escape_text(f"unexpected error: {said}; {DEBUG_HINT}")


def _masked(match: re.Match[str]) -> str:
    """A URL shown by its scheme and host: feed URLs are secrets, and others may hold one."""
    scheme = match.group().partition("://")[0]
    try:
        host = urlsplit(match.group()).hostname
    except ValueError:
        host = None
    return f"{scheme}://{host or '…'}/…"


def _traceback_if_asked(ctx: click.Context, exc: BaseException) -> None:
    settings = ctx.obj
    asked = bool(ctx.params.get("debug")) or (
        isinstance(settings, Settings) and settings.logging.level == "DEBUG"
    )
    if asked:
        for line in "".join(traceback.format_exception(exc)).splitlines():
            click.echo(escape_text(line), err=True)
