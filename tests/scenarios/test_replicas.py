"""Three daemons on one PostgreSQL database book every meeting exactly once between them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.db import check_postgres
from bench.replicas import ReplicasParams, run_replicas_once

MEETINGS = 300
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_three_replicas_book_each_meeting_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BENCH_LOGS_DIR", str(tmp_path))  # the daemons' logs, for a failure
    try:
        await check_postgres(POSTGRES_ADMIN_URL)
    except Exception as exc:  # any failure to connect: the scenario needs the server
        pytest.fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable: {exc}")
    # Replanning every 5 s (default 30 s) only shortens the wait before the first creates.
    params = ReplicasParams(
        n=MEETINGS,
        replicas=3,
        planner_interval=5.0,
        booked_seconds=90.0,
        admin_url=POSTGRES_ADMIN_URL,
    )

    result = await run_replicas_once(params)

    assert result.meetings == MEETINGS
    assert result.duplicates == 0, (result, tmp_path)
    assert result.missing == 0, (result, tmp_path)
    assert sum(result.booked_by.values()) >= MEETINGS
    assert all(count > 0 for count in result.booked_by.values()), result.booked_by
