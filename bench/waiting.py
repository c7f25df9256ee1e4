"""Waiting on a condition in real time: poll it until it holds or a bounded time runs out."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class ConditionTimeout(TimeoutError):
    """A condition the benchmark waited for did not hold in time."""

    def __init__(self, what: str, seconds: float, last: object) -> None:
        super().__init__(f"{what}: not reached within {seconds:.0f} s (last seen: {last})")


async def wait_until(
    check: Callable[[], Awaitable[tuple[bool, T]]],
    *,
    what: str,
    seconds: float,
    interval: float = 0.3,
) -> T:
    """Call ``check`` every ``interval`` until it says done; return its last value.

    ``check`` returns (done, value); the value of the last call is named in the timeout.
    """
    deadline = time.monotonic() + seconds
    while True:
        done, value = await check()
        if done:
            return value
        if time.monotonic() >= deadline:
            raise ConditionTimeout(what, seconds, value)
        await asyncio.sleep(interval)
