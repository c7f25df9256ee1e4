"""Injected faults and the /_sim/ inspection endpoints."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from service.simulator import key_hash
from tests.integration.simulator.support import (
    FUTURE,
    KEY,
    ZOOM,
    StartApi,
    assert_error,
)

# --- faults -------------------------------------------------------------------------------


async def test_error_rate_answers_5xx_before_creating_anything(start: StartApi) -> None:
    api = await start()
    assert (await api.sim("POST", "faults", {"error_rate": 1}))["error_rate"] == 1.0
    answers = [await api.create() for _ in range(6)]
    for answer in answers:
        code = {500: "internal_error", 503: "service_unavailable"}[answer.status]
        assert_error(answer, answer.status, code)
    assert api.served.state.bots == ()
    await api.sim("POST", "faults", {"error_rate": 0})
    assert (await api.call("GET", "/meetings")).body["data"] == []


async def test_error_after_create_answers_500_but_the_bot_exists(start: StartApi) -> None:
    api = await start()
    await api.sim("POST", "faults", {"error_after_create_rate": 1.0})
    assert_error(await api.create(join_at=FUTURE), 500, "internal_error")
    listed = (await api.call("GET", "/meetings")).body["data"]
    assert [(item["meeting_url"], item["join_at"]) for item in listed] == [(ZOOM, FUTURE)]


async def test_delayed_create_is_listed_before_it_answers(start: StartApi) -> None:
    api = await start()
    await api.sim("POST", "faults", {"delayed_create_rate": 1.0, "delayed_create_seconds": 0.3})
    started = time.monotonic()
    create = asyncio.create_task(api.create())
    listed: list[Any] = []
    async with asyncio.timeout(2):
        while not listed:  # each list is a real round trip, so the server gets to run
            listed = (await api.call("GET", "/meetings")).body["data"]
    assert not create.done()
    answer = await create
    assert answer.status == 201
    assert answer.body["id"] == listed[0]["id"]
    assert time.monotonic() - started >= 0.3


async def test_a_deleted_bot_answers_404_and_leaves_the_list(start: StartApi) -> None:
    api = await start()
    kept, gone = (await api.create()).body["id"], (await api.create()).body["id"]
    url = f"{api.served.root_url}/_sim/bots/{gone}"
    async with api.http.delete(url) as response:
        assert (response.status, await response.json()) == (200, {"deleted": gone})
    assert_error(await api.call("GET", f"/meetings/{gone}"), 404, "resource_not_found")
    listed = (await api.call("GET", "/meetings")).body["data"]
    assert [item["id"] for item in listed] == [kept]
    async with api.http.delete(url) as response:
        assert response.status == 404  # nothing left to delete
        assert (await response.json())["error"]["code"] == "resource_not_found"


async def test_latency_delays_every_answer(start: StartApi) -> None:
    api = await start()
    await api.sim("POST", "faults", {"latency_seconds": 0.05})
    started = time.monotonic()
    assert (await api.call("GET", "/meetings", key=None)).status == 401
    assert time.monotonic() - started >= 0.05


@pytest.mark.parametrize(
    ("changes", "param"),
    [
        ({"error_rate": 2}, "error_rate"),
        ({"latency_seconds": "1"}, "latency_seconds"),
        ({"x": 1}, "x"),
    ],
)
async def test_fault_changes_are_validated(
    start: StartApi, changes: dict[str, object], param: str
) -> None:
    api = await start()
    answer = await api.sim("POST", "faults", changes)
    assert (answer["error"]["code"], answer["error"]["param"]) == ("invalid_field", param)
    assert (await api.sim("GET", "faults"))["error_rate"] == 0.0


# --- inspection ---------------------------------------------------------------------------


async def test_sim_bots_shows_owner_hash_never_the_key(start: StartApi) -> None:
    api = await start()
    await api.create(join_at=FUTURE, title="t")
    async with api.http.get(f"{api.served.root_url}/_sim/bots") as response:
        text = await response.text()
        bot = (await response.json())["bots"][0]
    assert KEY not in text
    assert bot["api_key_hash"] == key_hash(KEY)
    assert (bot["meeting_url"], bot["join_at"], bot["created_at"]) == (
        ZOOM,
        FUTURE,
        "2026-11-23T08:00:00Z",
    )
    assert bot["timeline"][:2] == [
        {"status": "pending", "at": "2026-11-23T08:00:00Z"},
        {"status": "joining_call", "at": FUTURE},
    ]


async def test_sim_stats_counts_requests_and_duplicates(start: StartApi) -> None:
    api = await start(rpm=8)
    ids = [(await api.create(join_at=FUTURE)).body["id"] for _ in range(3)]
    await api.create(join_at="2026-11-23T10:00:00Z")
    await api.call("POST", f"/meetings/{ids[0]}/cancel")
    await api.call("GET", "/meetings/meeting_nope")
    await api.sim("POST", "faults", {"error_rate": 1.0})
    await api.call("GET", "/meetings")
    await api.sim("POST", "faults", {"error_rate": 0.0})
    await api.call("GET", "/meetings")
    await api.call("GET", "/meetings")
    await api.call("GET", "/meetings", key=None)
    stats = await api.sim("GET", "stats")
    assert (stats["requests"], stats["creates"], stats["rate_limited"]) == (10, 4, 1)
    assert (stats["server_errors"], stats["duplicates"]) == (1, 1)
    assert stats["duplicate_groups"] == [
        {"meeting_url": ZOOM, "join_at": FUTURE, "bot_ids": ids[1:]}
    ]
    assert stats["by_route"]["POST /api/v1/meetings"] == {"201": 4}
    assert stats["by_route"]["GET /api/v1/meetings/{id}"] == {"404": 1}
    assert sum(stats["by_route"]["GET /api/v1/meetings"].values()) == 4
    records = (await api.sim("GET", "requests"))["requests"]
    assert records[0] == {
        "method": "POST",
        "route": "/api/v1/meetings",
        "status": 201,
        "at": "2026-11-23T08:00:00Z",
        "key": key_hash(KEY),
    }


async def test_running_simulator_serves_the_api_on_loopback(start: StartApi) -> None:
    api = await start()
    assert api.served.base_url.startswith("http://127.0.0.1:")
    assert api.served.base_url.endswith("/api/v1")
    assert api.served.base_url.removesuffix("/api/v1") == api.served.root_url
