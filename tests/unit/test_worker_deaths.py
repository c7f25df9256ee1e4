"""How the death of a parse worker is put into words (the line `calendars list` shows)."""

from __future__ import annotations

import signal

import pytest

from service.adapters.feeds.workers import WorkerDied, death


@pytest.mark.parametrize(
    ("exitcode", "words"),
    [
        (-signal.SIGKILL, "killed by SIGKILL: out of memory?"),
        (-signal.SIGSEGV, "killed by SIGSEGV"),
        (-99, "killed by signal 99"),
        (1, "exit code 1"),
    ],
)
def test_a_death_says_how_the_worker_ended(exitcode: int, words: str) -> None:
    assert death(exitcode) == words


def test_the_error_is_one_line_that_says_what_happens_next() -> None:
    assert str(WorkerDied(-signal.SIGKILL)) == (
        "parse worker died (killed by SIGKILL: out of memory?) while reading this calendar; "
        "retrying next interval"
    )
    assert str(WorkerDied(None)) == (
        "parse workers died twice while reading this calendar; retrying next interval"
    )
