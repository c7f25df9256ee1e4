"""Errors out of the adapters carry their cause (``raise ... from exc``), except where the
cause would print a secret in a traceback: a feed's URL."""

from __future__ import annotations

import socket
import traceback
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from service.adapters.alerting import LoggingAlerts
from service.adapters.feeds.fetch import (
    FeedFetchError,
    FetchSettings,
    feed_session,
    fetch_url,
    read_bounded,
)
from service.adapters.local_budget import LocalBudget
from service.adapters.mavera.client import MaveraClient
from service.core.errors import MaveraNotSent
from service.core.feed_urls import FeedUrlRefused
from service.credentials import ApiKey
from tests.conftest import T0
from tests.fakes.clock import FakeClock
from tests.fakes.mavera import TEST_KEY

TOKEN = "tok3nInPath"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def told(exc: BaseException) -> str:
    """Everything a traceback of ``exc`` prints, causes included."""
    return "".join(traceback.format_exception(exc))


async def fetch_failure(url: str, *, allow_private: bool) -> FeedFetchError:
    settings = FetchSettings(
        timeout=timedelta(seconds=10), max_bytes=1000, max_redirects=0, allow_private=allow_private
    )
    async with feed_session(settings) as session:
        with pytest.raises(FeedFetchError) as caught:
            await fetch_url(session, url, etag=None, last_modified=None, settings=settings)
    return caught.value


def test_an_unreadable_file_keeps_its_cause(tmp_path: Path) -> None:
    with pytest.raises(FeedFetchError) as caught:
        read_bounded(tmp_path / "missing.ics", 1000)
    assert isinstance(caught.value.__cause__, FileNotFoundError)


async def test_a_refused_feed_url_keeps_its_cause_which_names_no_url() -> None:
    failure = await fetch_failure(f"http://calendar.example/{TOKEN}.ics", allow_private=False)
    assert isinstance(failure.__cause__, FeedUrlRefused)
    assert TOKEN not in told(failure)


async def test_a_failed_connection_to_a_feed_is_not_chained_its_cause_holds_the_url() -> None:
    url = f"http://127.0.0.1:{closed_port()}/{TOKEN}.ics?token={TOKEN}"
    failure = await fetch_failure(url, allow_private=True)
    assert failure.__cause__ is None
    assert failure.__suppress_context__
    assert TOKEN not in told(failure)


async def test_a_mavera_request_that_never_left_keeps_its_cause() -> None:
    clock = FakeClock(T0)
    async with aiohttp.ClientSession() as session:
        client = MaveraClient(
            session=session,
            base_url=f"http://127.0.0.1:{closed_port()}/api/v1",
            api_key=ApiKey(TEST_KEY),
            budget=LocalBudget(limit=600, read_share=0.5, clock=clock),
            clock=clock,
            timeout=timedelta(seconds=5),
            alerts=LoggingAlerts(clock=clock),
        )
        with pytest.raises(MaveraNotSent) as caught:
            await client.get_bot("meeting_1")
    assert isinstance(caught.value.__cause__, aiohttp.ClientConnectorError)
    assert TEST_KEY not in told(caught.value)
