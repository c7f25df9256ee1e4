"""Support for the simulator tests: a plain aiohttp client, answers and assertions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp

from service.simulator import (
    Durations,
    RunningSimulator,
)
from tests.fakes.clock import FakeClock

KEY = "mvra_live_" + "a" * 30
OTHER_KEY = "mvra_live_" + "b" * 30
ZOOM = "https://acme.zoom.us/j/123456789"
FUTURE = "2026-11-23T09:00:00Z"  # an hour after FakeClock's start

TEST_DURATIONS = Durations(
    pickup=timedelta(seconds=1),
    joining=timedelta(seconds=3),
    waiting_room=timedelta(seconds=4),
    waiting_room_timeout=timedelta(seconds=5),
    not_recording=timedelta(seconds=2),
    call=timedelta(seconds=6),
    call_ended=timedelta(seconds=2),
    processing=timedelta(seconds=3),
    retention=timedelta(seconds=5),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Api:
    http: aiohttp.ClientSession
    served: RunningSimulator
    clock: FakeClock

    async def call(
        self,
        method: str,
        path: str,
        *,
        key: str | None = KEY,
        json: object = None,
        data: str | None = None,
        params: dict[str, str] | None = None,
    ) -> Answer:
        headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
        url = self.served.base_url + path
        async with self.http.request(
            method, url, json=json, data=data, params=params, headers=headers
        ) as response:
            body = await response.json() if response.content_type == "application/json" else None
            return Answer(status=response.status, body=body, headers=dict(response.headers))

    async def create(self, key: str = KEY, **body: object) -> Answer:
        return await self.call("POST", "/meetings", key=key, json={"meeting_url": ZOOM, **body})

    async def status_of(self, bot_id: str) -> str:
        answer = await self.call("GET", f"/meetings/{bot_id}")
        assert answer.status == 200
        return str(answer.body["status"])

    async def sim(self, method: str, path: str, json: object = None) -> Any:
        url = f"{self.served.root_url}/_sim/{path}"
        async with self.http.request(method, url, json=json) as response:
            return await response.json()


StartApi = Callable[..., Awaitable[Api]]


def assert_rate_headers(answer: Answer) -> None:
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert int(answer.headers[name]) >= 0, name


def assert_error(answer: Answer, status: int, code: str, param: str | None = None) -> None:
    assert answer.status == status, answer.body
    error = answer.body["error"]
    assert set(error) == {"message", "type", "code", "param"}
    assert (error["code"], error["param"]) == (code, param)
    assert error["message"]
    assert_rate_headers(answer)
