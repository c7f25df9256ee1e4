"""The one reader of untrusted files (calendar files, imports): bounded before it reads."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest

from service.adapters.feeds.fetch import FeedFetchError, read_bounded


def test_a_huge_file_is_refused_after_reading_one_byte_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.ics"
    with path.open("wb") as handle:
        handle.truncate(4 * 2**30)  # 4 GiB, sparse: no disk is used
    tracemalloc.start()
    try:
        with pytest.raises(FeedFetchError) as caught:
            read_bounded(path, 1_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(caught.value) == "the file is larger than 1000 bytes (calendars.max_feed_bytes)"
    assert peak < 100_000


def test_a_file_of_exactly_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "team.ics"
    path.write_bytes(b"x" * 1_000)
    assert read_bounded(path, 1_000) == b"x" * 1_000


def test_an_unreadable_file_is_a_fetch_error_without_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(FeedFetchError, match=r"^cannot read the file \(No such file"):
        read_bounded(tmp_path / "absent.ics", 1_000)
