"""At DEBUG, a whole sync-import-dispatch round logs no feed token, passcode or API key."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from service.config import Settings
from service.core.model import CalendarKind
from service.core.timestamps import utc_iso
from service.logging_setup import QUIET_LOGGERS, configure_logging
from tests.conftest import T0
from tests.factories import import_rows
from tests.fakes.clock import FakeClock
from tests.fakes.feeds import Event, ics
from tests.fakes.mavera import TEST_KEY
from tests.integration.world import calendar_world

SETTINGS = Settings.model_validate({"calendars": {"allow_private_addresses": True}})
PATH_TOKEN = "pathT0kenQx7"
QUERY_TOKEN = "queryT0kenWm3"
PASSCODE = "SECRETPASS"
FEED_PASSCODE = "FEEDPASS9"
SECRETS = (PATH_TOKEN, QUERY_TOKEN, PASSCODE, FEED_PASSCODE, TEST_KEY, "t3st")
START = T0 + timedelta(hours=3)


@pytest.fixture
def debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The root logger at DEBUG, set up as every entry point does; levels restored after."""
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    caplog.set_level(logging.DEBUG)
    configure_logging("DEBUG")
    try:
        yield caplog
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_nothing_secret_is_logged_at_debug(
    engine: AsyncEngine, clock: FakeClock, debug_logging: pytest.LogCaptureFixture
) -> None:
    feed_link = f"https://acme.zoom.us/j/81234567890?pwd={FEED_PASSCODE}"
    async with calendar_world(engine, clock, SETTINGS) as w:
        w.feeds.feeds[f"private-{PATH_TOKEN}"] = ics(
            [Event(uid="a", start=START, end=START + timedelta(minutes=30), url=feed_link)]
        )
        w.feeds.redirects[f"moved-{PATH_TOKEN}"] = f"http://[::1/{PATH_TOKEN}"
        locations = {
            "ok": w.feeds.url(f"private-{PATH_TOKEN}") + f"?token={QUERY_TOKEN}",
            "moved": w.feeds.url(f"moved-{PATH_TOKEN}") + f"?token={QUERY_TOKEN}",
            "down": f"http://127.0.0.1:{closed_port()}/{PATH_TOKEN}?token={QUERY_TOKEN}",
            "bad": f"http://127.0.0.1:99999/{PATH_TOKEN}?token={QUERY_TOKEN}",
        }
        for name, location in locations.items():
            await w.calendars.add(
                name=name,
                kind=CalendarKind.ICS_URL,
                location=location,
                owner_email="jane@acme.example",
                interval=timedelta(minutes=5),
                now=clock.now(),
            )
        reports = await w.sync.sync_all(await w.calendars.all())
        await import_rows(SETTINGS, engine, [_row(START)], clock)
        clock.set(START - timedelta(minutes=10))
        await w.dispatch()
        assert len(w.sim.state.bots) == 2
    assert {r.calendar: r.status for r in reports} == {
        "ok": "ok",
        "moved": "error",
        "down": "error",
        "bad": "error",
    }
    assert_no_secret_in(debug_logging.records)


def assert_no_secret_in(records: list[logging.LogRecord]) -> None:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    debug = [r for r in records if r.levelno == logging.DEBUG and r.name.startswith("service.")]
    assert debug, "DEBUG records of the service itself were expected"
    assert any(r.levelno == logging.WARNING for r in records)
    for record in records:
        text = formatter.format(record) + repr(record.args) + repr(record.__dict__)
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} logged by {record.name}: {text[:300]}"


def _row(start: datetime) -> dict[str, object]:
    return {
        "title": "Board review",
        "meeting_url": f"https://acme.zoom.us/j/89876543210?pwd={PASSCODE}",
        "start": utc_iso(start),
        "end": utc_iso(start + timedelta(minutes=30)),
        "organizer": "jane@acme.example",
        "attendees": ["jane@acme.example"],
    }
