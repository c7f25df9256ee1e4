"""SQLite allows one daemon per database: a second `autojoin run` refuses with a clear message."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from service.adapters.sql.migrate import upgrade


@pytest.mark.parametrize("second_path", ["same", "symlink"])
async def test_a_second_daemon_on_one_sqlite_file_refuses_to_start(
    tmp_path: Path, second_path: str
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'one.db'}"
    await asyncio.to_thread(upgrade, url)
    env = {**os.environ, "AUTOJOIN_DATABASE_URL": url, "AUTOJOIN_CONFIG": ""}
    other = env
    if second_path == "symlink":
        (tmp_path / "link.db").symlink_to(tmp_path / "one.db")
        other = {**env, "AUTOJOIN_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'link.db'}"}
    env.pop("MAVERA_API_KEY", None)
    first = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "service",
        "run",
        env=env,
        stderr=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        assert first.stderr is not None
        async with asyncio.timeout(20):
            while b"autojoin running" not in await first.stderr.readline():
                pass
        second = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "service",
            "run",
            env=other,
            stderr=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.DEVNULL,
        )
        async with asyncio.timeout(20):
            _, err = await second.communicate()
        assert second.returncode == 1
        assert err.decode().strip().splitlines()[-1] == (
            f"error: another autojoin daemon is already running on {tmp_path / 'one.db'}; "
            "SQLite supports one daemon per database (use PostgreSQL to run several)"
        )
    finally:
        first.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            await first.wait()
    assert first.returncode == 0
