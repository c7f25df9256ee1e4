"""The Mavera simulator as its own process, and typed reads of its ``/_sim/`` inspection API."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp

from bench.procs import Child, ProcessSet, autojoin_command
from bench.waiting import wait_until

LISTENING = re.compile(r"listening on (http://\S+)/api/v1")
CREATE_ROUTE = "POST /api/v1/meetings"
READ_ROUTES = ("GET /api/v1/meetings/{id}", "GET /api/v1/meetings")
FAULT_FLAGS = (
    "error_rate",
    "error_after_create_rate",
    "delayed_create_rate",
    "delayed_create_seconds",
    "latency_seconds",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SimOptions:
    """The ``autojoin simulate`` flags (rates are fractions of requests)."""

    rpm: int = 600
    fast: bool = True
    call_seconds: float | None = None
    all_succeed: bool = True
    seed: int = 0
    error_rate: float = 0.0
    error_after_create_rate: float = 0.0
    delayed_create_rate: float = 0.0
    delayed_create_seconds: float = 30.0
    latency_seconds: float = 0.0

    def argv(self) -> list[str]:
        args = ["--rpm", str(self.rpm), "--seed", str(self.seed)]
        args += ["--fast"] if self.fast else []
        args += ["--all-succeed"] if self.all_succeed else []
        if self.call_seconds is not None:
            args += ["--call-seconds", str(self.call_seconds)]
        for name in FAULT_FLAGS:
            args += [f"--{name.replace('_', '-')}", str(getattr(self, name))]
        return args


def parse_time(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _time(value: object) -> datetime:
    parsed = parse_time(value)
    if parsed is None:
        raise ValueError(f"expected a timestamp, got {value!r}")
    return parsed


@dataclass(frozen=True, slots=True, kw_only=True)
class SimBotView:
    """One bot as ``/_sim/bots`` shows it; ``timeline`` is its whole script, future included."""

    id: str
    meeting_url: str
    requested_join_at: datetime | None
    created_at: datetime
    cancelled_at: datetime | None
    timeline: tuple[tuple[str, datetime], ...]

    @property
    def live(self) -> bool:
        return self.cancelled_at is None

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> SimBotView:
        return cls(
            id=str(raw["id"]),
            meeting_url=str(raw["meeting_url"]),
            requested_join_at=parse_time(raw.get("requested_join_at")),
            created_at=_time(raw["created_at"]),
            cancelled_at=parse_time(raw.get("cancelled_at")),
            timeline=tuple((str(e["status"]), _time(e["at"])) for e in raw["timeline"]),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SimRequest:
    method: str
    route: str
    status: int
    at: datetime


def route_count(stats: dict[str, Any], *routes: str) -> int:
    """How many requests the routes got, whatever their answer."""
    by_route: dict[str, dict[str, int]] = stats["by_route"]
    return sum(sum(by_route.get(route, {}).values()) for route in routes)


class SimProcess:
    """A running ``autojoin simulate``; ``base_url`` is the API root to give the daemon."""

    def __init__(self, child: Child, root_url: str, session: aiohttp.ClientSession) -> None:
        self.child = child
        self.root_url = root_url
        self.base_url = f"{root_url}/api/v1"
        self._session = session

    @classmethod
    async def start(
        cls, options: SimOptions, *, procs: ProcessSet, workdir: Path, env: dict[str, str]
    ) -> SimProcess:
        argv = [autojoin_command(), "simulate", "--host", "127.0.0.1", "--port", "0"]
        log_path = workdir / "simulator.log"
        child = procs.add(
            await Child.spawn(
                "simulator", argv + options.argv(), env=env, cwd=workdir, log_path=log_path
            )
        )

        async def listening() -> tuple[bool, str]:
            match = LISTENING.search(child.log_text())
            if not child.running:
                raise RuntimeError(f"simulator exited: {child.log_text()[-2000:]}")
            return match is not None, match.group(1) if match else ""

        root = await wait_until(listening, what="simulator listening", seconds=30, interval=0.1)
        return cls(child, root, aiohttp.ClientSession())

    async def close(self) -> None:
        await self._session.close()

    async def _get(self, path: str) -> Any:
        async with self._session.get(f"{self.root_url}/_sim/{path}") as response:
            response.raise_for_status()
            return await response.json()

    async def stats(self) -> dict[str, Any]:
        data: dict[str, Any] = await self._get("stats")
        return data

    async def bots(self) -> list[SimBotView]:
        data = await self._get("bots")
        return [SimBotView.parse(raw) for raw in data["bots"]]

    async def requests(self) -> list[SimRequest]:
        data = await self._get("requests")
        return [
            SimRequest(method=r["method"], route=r["route"], status=r["status"], at=_time(r["at"]))
            for r in data["requests"]
        ]

    async def set_faults(self, **knobs: float) -> None:
        url = f"{self.root_url}/_sim/faults"
        async with self._session.post(url, json=knobs) as response:
            response.raise_for_status()
