"""Feeds parsed in worker processes give exactly what parsing in the daemon gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from service.calendars.ics import parse_feed
from service.feeds.parsing import ProcessParser, ThreadParser

FEED = Path(__file__).resolve().parents[1] / "data" / "ics" / "rie__daylight_saving_time.ics"
WINDOW = {
    "window_start": datetime(2018, 1, 1, tzinfo=UTC),
    "window_end": datetime(2020, 1, 1, tzinfo=UTC),
}


async def test_a_worker_process_parses_like_the_daemon() -> None:
    data = FEED.read_bytes()
    expected = parse_feed(data, fallback_zone="UTC", **WINDOW)
    parser = ProcessParser(1)
    try:
        await parser.warm_up()
        in_process = await parser(data, fallback_zone="UTC", **WINDOW)
    finally:
        parser.close()
    assert in_process == expected
    assert len(expected.occurrences) > 100
    assert await ThreadParser()(data, fallback_zone="UTC", **WINDOW) == expected
