"""The command line's last resort: any exception is one line (URLs cut to their host), a
traceback only on request; log messages have their control characters escaped."""

from __future__ import annotations

import errno
import logging
import sys

import click
import pytest
from click.testing import CliRunner, Result

from service.cli.common import EXIT_BAD_INPUT, EXIT_ERROR, GuardedGroup
from service.core.errors import InputError
from service.logging_setup import EscapingFormatter

HINT = "run with --debug or logging.level DEBUG for the traceback"


def guarded(error: BaseException) -> click.Group:
    @click.group(cls=GuardedGroup)
    @click.option("--debug", is_flag=True)
    def group(debug: bool) -> None:
        """A group like `autojoin`."""

    @group.command()
    def boom() -> None:
        raise error

    @group.command()
    @click.argument("count", type=int)
    def typed(count: int) -> None:
        """Click's own usage errors pass through."""

    return group


def invoke(error: BaseException, *args: str) -> Result:
    return CliRunner().invoke(guarded(error), list(args), catch_exceptions=False)


def deep(depth: int) -> int:
    return deep(depth + 1)


def recursion_error() -> RecursionError:
    try:
        deep(0)
    except RecursionError as exc:
        return exc
    raise AssertionError("no recursion error")  # pragma: no cover


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (ValueError("bad\nsecond line"), f"error: unexpected error: ValueError: bad; {HINT}"),
        (KeyError("x"), f"error: unexpected error: KeyError: 'x'; {HINT}"),
        (RuntimeError(), f"error: unexpected error: RuntimeError; {HINT}"),
        (
            ValueError("fetching https://u:pw@calendar.example.com/private-abc/basic.ics failed"),
            f"error: unexpected error: ValueError: fetching https://calendar.example.com/… "
            f"failed; {HINT}",
        ),
        (
            ValueError("Invalid IPv6 URL http://[::1"),
            f"error: unexpected error: ValueError: Invalid IPv6 URL http://…/…; {HINT}",
        ),
        (
            OSError("title \x1b]0;owned\x07"),
            f"error: unexpected error: OSError: title \\x1b]0;owned\\x07; {HINT}",
        ),
        (
            recursion_error(),
            f"error: unexpected error: RecursionError: maximum recursion depth exceeded; {HINT}",
        ),
        (ValueError("x" * 1000), f"error: unexpected error: ValueError: {'x' * 299}…; {HINT}"),
    ],
)
def test_an_unexpected_error_is_one_line_without_a_traceback(
    error: BaseException, line: str
) -> None:
    result = invoke(error, "boom")
    assert result.exit_code == EXIT_ERROR
    assert result.stderr.splitlines() == [line]
    assert "pw@" not in result.stderr
    assert "private-abc" not in result.stderr


def test_a_service_error_is_its_own_line_and_exit_code() -> None:
    result = invoke(InputError("row 1", "bad"), "boom")
    assert (result.exit_code, result.stderr) == (EXIT_BAD_INPUT, "error: row 1: bad\n")


def test_debug_adds_the_traceback_before_the_line() -> None:
    result = invoke(ValueError("bad"), "--debug", "boom")
    lines = result.stderr.splitlines()
    assert result.exit_code == EXIT_ERROR
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[-2:] == ["ValueError: bad", f"error: unexpected error: ValueError: bad; {HINT}"]


def test_click_usage_errors_and_exits_pass_through() -> None:
    usage = invoke(ValueError("unused"), "typed", "many")
    assert usage.exit_code == 2
    assert "Invalid value for 'COUNT'" in usage.stderr
    assert "unexpected error" not in usage.stderr
    assert invoke(SystemExit(3), "boom").exit_code == 3
    closed = invoke(BrokenPipeError(errno.EPIPE, "Broken pipe"), "boom")
    assert (closed.exit_code, closed.stderr) == (1, "")


def test_log_messages_are_escaped_but_tracebacks_keep_their_lines() -> None:
    formatter = EscapingFormatter("%(levelname)s %(message)s")
    try:
        raise ValueError("inner")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "service.x", logging.ERROR, __file__, 1, "title %s", ("\x1b]0;x\x07",), exc_info
    )
    text = formatter.format(record)
    assert text.splitlines()[0] == "ERROR title \\x1b]0;x\\x07"
    assert "Traceback (most recent call last):" in text.splitlines()
