"""Cancelling bots and listing them in both documented page shapes."""

from __future__ import annotations

from typing import Any

import pytest

from service.simulator import OutcomeMix, key_hash
from tests.integration.simulator.support import (
    FUTURE,
    KEY,
    Api,
    StartApi,
    assert_error,
)

# --- cancel -------------------------------------------------------------------------------


async def test_cancel_stops_a_running_bot_and_is_idempotent(start: StartApi) -> None:
    api = await start()
    bot_id = (await api.create()).body["id"]
    api.clock.advance(7)
    first = await api.call("POST", f"/meetings/{bot_id}/cancel", json={"reason": "x" * 500})
    assert first.status == 200
    assert first.body == {
        "id": bot_id,
        "object": "meeting",
        "status": "cancelled",
        "cancelled_at": "2026-11-23T08:00:07Z",
        "cancelled_by": "user_" + key_hash(KEY).removeprefix("key_"),
        "cancel_reason": "x" * 500,
    }
    api.clock.advance(60)
    again = await api.call("POST", f"/meetings/{bot_id}/cancel")
    assert (again.status, again.body) == (200, first.body)
    shown = (await api.call("GET", f"/meetings/{bot_id}")).body
    assert (shown["status"], shown["cancelled_at"]) == ("cancelled", "2026-11-23T08:00:07Z")
    timeline = (await api.sim("GET", "bots"))["bots"][0]["timeline"]
    assert [entry["status"] for entry in timeline] == [
        "pending",
        "joining_call",
        "in_call_not_recording",
        "in_call_recording",
        "cancelled",
    ]


async def test_cancel_of_a_scheduled_bot_keeps_it_from_joining(start: StartApi) -> None:
    api = await start()
    bot_id = (await api.create(join_at=FUTURE)).body["id"]
    assert (await api.call("POST", f"/meetings/{bot_id}/cancel", data="")).status == 200
    api.clock.advance(3700)
    assert await api.status_of(bot_id) == "cancelled"


@pytest.mark.parametrize(("mix", "wait"), [(OutcomeMix(), 17), (OutcomeMix(fatal=1.0), 4)])
async def test_cancel_of_a_finished_bot_is_refused(
    start: StartApi, mix: OutcomeMix, wait: int
) -> None:
    api = await start(mix=mix)
    bot_id = (await api.create()).body["id"]
    api.clock.advance(wait)
    answer = await api.call("POST", f"/meetings/{bot_id}/cancel")
    assert_error(answer, 400, "meeting_not_cancellable")
    assert answer.body["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ('{"reason": "' + "x" * 501 + '"}', "invalid_field", "reason"),
        ('{"reason": 3}', "invalid_field", "reason"),
        ("[]", "invalid_json", None),
    ],
)
async def test_invalid_cancel_bodies_answer_400(
    start: StartApi, body: str, code: str, param: str | None
) -> None:
    api = await start()
    bot_id = (await api.create()).body["id"]
    assert_error(await api.call("POST", f"/meetings/{bot_id}/cancel", data=body), 400, code, param)
    assert await api.status_of(bot_id) == "pending"


# --- list ---------------------------------------------------------------------------------


async def create_many(api: Api, count: int) -> list[str]:
    """Bots created ten per second, returned newest first (created_at desc, then id desc)."""
    made: list[tuple[str, str]] = []
    for index in range(count):
        body = (await api.create(title=f"m{index}")).body
        made.append((body["created_at"], body["id"]))
        if index % 10 == 9:
            api.clock.advance(1)
    return [bot_id for _, bot_id in sorted(made, reverse=True)]


async def test_cursor_list_pages_newest_first_and_is_stable(start: StartApi) -> None:
    api = await start()
    expected = await create_many(api, 120)
    pages: list[Any] = [(await api.call("GET", "/meetings")).body]
    await api.create(title="newer")  # must not shift the pages still to come
    while pages[-1]["has_more"]:
        params = {"cursor": pages[-1]["next_cursor"]}
        pages.append((await api.call("GET", "/meetings", params=params)).body)
    assert [len(page["data"]) for page in pages] == [50, 50, 20]
    assert [page["has_more"] for page in pages] == [True, True, False]
    assert pages[-1]["next_cursor"] is None
    assert {page["object"] for page in pages} == {"list"}
    assert [item["id"] for page in pages for item in page["data"]] == expected
    assert isinstance(pages[0]["data"][0]["meeting_url"], str)


async def test_cursor_list_honours_limit_workspace_and_refuses_bad_values(
    start: StartApi,
) -> None:
    api = await start()
    await create_many(api, 3)
    in_ws = (await api.create(workspace_id="ws_a")).body["id"]
    assert len((await api.call("GET", "/meetings", params={"limit": "100"})).body["data"]) == 4
    page = (await api.call("GET", "/meetings", params={"workspace_id": "ws_a"})).body
    assert [item["id"] for item in page["data"]] == [in_ws]
    for params, param in [
        ({"limit": "101"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "bogus!"}, "cursor"),
    ]:
        assert_error(await api.call("GET", "/meetings", params=params), 400, "invalid_field", param)


async def test_offset_list_uses_the_older_shape(start: StartApi) -> None:
    api = await start(list_shape="offset")
    expected = await create_many(api, 120)
    first = (await api.call("GET", "/meetings")).body
    assert set(first) == {"object", "data", "total", "limit", "offset", "has_more"}
    assert (first["total"], first["limit"], first["offset"], len(first["data"])) == (120, 20, 0, 20)
    ids: list[str] = []
    offset = 0
    while True:
        params = {"limit": "100", "offset": str(offset)}
        page = (await api.call("GET", "/meetings", params=params)).body
        ids += [item["id"] for item in page["data"]]
        offset += len(page["data"])
        if not page["has_more"]:
            break
    assert ids == expected
    too_big = await api.call("GET", "/meetings", params={"limit": "101"})
    assert_error(too_big, 400, "invalid_field", "limit")
