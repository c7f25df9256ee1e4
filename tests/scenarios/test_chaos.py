"""Kill -9 the daemon mid-dispatch under 5xx and late answers: still exactly one bot per meeting."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.chaos import ChaosParams, run_chaos_once

MEETINGS = 150
KILLS = 20


@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_kills_and_faults_leave_one_bot_per_meeting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BENCH_LOGS_DIR", str(tmp_path))  # the daemons' logs, for a failure
    params = ChaosParams(n=MEETINGS, kills=KILLS, max_gap=1.0, converge_seconds=90.0)

    result = await run_chaos_once(params)

    assert result.kills == KILLS
    assert result.kills_mid_dispatch >= KILLS // 2, "most kills must land mid-dispatch"
    assert result.meetings == MEETINGS
    assert result.duplicates == 0, (result, tmp_path)
    assert result.missing == 0, (result, tmp_path)
    assert result.server_errors > 0, "the 5xx fault was not exercised"
