"""The Mavera simulator served on loopback, driven by a plain aiohttp session and a FakeClock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import aiohttp
import pytest

from service.model import BotStatus
from service.simulator import (
    Durations,
    OutcomeMix,
    RunningSimulator,
    SimulatorSettings,
    key_hash,
    running_simulator,
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


@pytest.fixture
async def exit_stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as stack:
        yield stack


@pytest.fixture
def start(exit_stack: AsyncExitStack) -> StartApi:
    async def start_api(**changes: Any) -> Api:
        clock = FakeClock()
        base = SimulatorSettings(rpm=10_000, durations=TEST_DURATIONS, mix=OutcomeMix(), seed=7)
        settings = replace(base, **changes)
        served = await exit_stack.enter_async_context(running_simulator(settings, clock=clock))
        http = await exit_stack.enter_async_context(aiohttp.ClientSession())
        return Api(http=http, served=served, clock=clock)

    return start_api


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


# --- shapes -----------------------------------------------------------------------------


async def test_create_adhoc_answers_201_with_documented_shape(start: StartApi) -> None:
    api = await start()
    answer = await api.create(title="Weekly sync")
    assert answer.status == 201
    body = answer.body
    assert body["id"].startswith("meeting_")
    assert body == {
        "id": body["id"],
        "object": "meeting",
        "title": "Weekly sync",
        "meeting_url": {"url": ZOOM, "platform": "zoom"},
        "bot_name": "Mavera Notetaker",
        "join_type": "adhoc",
        "join_at": None,
        "status": "pending",
        "platform": "zoom",
        "workspace_id": "ws_default",
        "created_at": "2026-11-23T08:00:00Z",
        "updated_at": "2026-11-23T08:00:00Z",
    }
    assert_rate_headers(answer)


@pytest.mark.parametrize(
    ("join_at", "join_type", "shown"),
    [
        (FUTURE, "scheduled", FUTURE),
        ("2026-11-23T10:00:00+01:00", "scheduled", FUTURE),
        ("2026-11-23T09:00:00", "scheduled", FUTURE),
        ("2026-11-23T07:00:00Z", "adhoc", None),
    ],
)
async def test_create_sets_join_type_from_join_at(
    start: StartApi, join_at: str, join_type: str, shown: str | None
) -> None:
    api = await start()
    body = (await api.create(join_at=join_at)).body
    assert (body["join_type"], body["join_at"], body["status"]) == (join_type, shown, "pending")


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://us02web.zoom.us/j/85512345678?pwd=abc", "zoom"),
        ("https://meet.google.com/abc-defg-hij", "google_meet"),
        (
            "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0",
            "microsoft_teams",
        ),
        ("https://acme.webex.com/meet/alice", "webex"),
    ],
)
async def test_create_detects_platform_from_host(start: StartApi, url: str, platform: str) -> None:
    api = await start()
    body = (await api.call("POST", "/meetings", json={"meeting_url": url})).body
    assert body["platform"] == platform
    assert body["meeting_url"] == {"url": url, "platform": platform}


async def test_get_shows_string_url_and_no_platform(start: StartApi) -> None:
    api = await start()
    created = (await api.create(bot_name="Rec", workspace_id="ws_a", join_at=FUTURE)).body
    answer = await api.call("GET", f"/meetings/{created['id']}")
    assert answer.status == 200
    body = answer.body
    assert "platform" not in body
    assert body["meeting_url"] == ZOOM
    expected = {"id": created["id"], "object": "meeting", "bot_name": "Rec", "workspace_id": "ws_a"}
    assert {name: body[name] for name in expected} == expected
    assert (body["join_type"], body["join_at"], body["status"]) == ("scheduled", FUTURE, "pending")
    assert (body["participants"], body["participant_count"], body["has_transcript"]) == (
        [],
        0,
        False,
    )
    for name in ("completed_at", "recording_url", "cancelled_at", "cancelled_by", "cancel_reason"):
        assert body[name] is None, name


# --- auth, validation, credits, ownership -----------------------------------------------


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "missing_api_key"),
        ("Basic abc", "invalid_api_key"),
        ("Bearer mvra_live_short", "invalid_api_key"),
        ("Bearer mvra_test_" + "a" * 30, "invalid_api_key"),
        ("Bearer mvra_live_" + "z" * 30, "invalid_api_key"),
        ("Bearer mvra_live_" + "r" * 30, "revoked_api_key"),
        ("Bearer mvra_live_" + "e" * 30, "expired_api_key"),
    ],
)
async def test_bad_keys_are_refused_with_401_and_create_nothing(
    start: StartApi, header: str | None, code: str
) -> None:
    api = await start(
        api_keys=frozenset({KEY}),
        revoked_keys=frozenset({"mvra_live_" + "r" * 30}),
        expired_keys=frozenset({"mvra_live_" + "e" * 30}),
    )
    headers = {"Authorization": header} if header is not None else {}
    url = f"{api.served.base_url}/meetings"
    async with api.http.post(url, json={"meeting_url": ZOOM}, headers=headers) as response:
        answer = Answer(
            status=response.status, body=await response.json(), headers=dict(response.headers)
        )
    assert_error(answer, 401, code)
    assert answer.body["error"]["type"] == "authentication_error"
    assert api.served.state.bots == ()
    assert (await api.create()).status == 201


async def test_any_well_formed_key_is_accepted_when_no_key_set_is_configured(
    start: StartApi,
) -> None:
    api = await start()
    assert (await api.create(key="mvra_live_" + "x" * 22)).status == 201


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ("not json", "invalid_json", None),
        ("[1, 2]", "invalid_json", None),
        ("{}", "missing_field", "meeting_url"),
        ('{"meeting_url": 5}', "invalid_field", "meeting_url"),
        ('{"meeting_url": "ftp://acme.zoom.us/j/1"}', "invalid_field", "meeting_url"),
        ('{"meeting_url": "https://example.com/j/1"}', "invalid_field", "meeting_url"),
        ('{"meeting_url": "https://zoom.us/"}', "invalid_field", "meeting_url"),
        ('{"meeting_url": "zoom.us/j/1"}', "invalid_field", "meeting_url"),
        (f'{{"meeting_url": "{ZOOM}", "join_at": "tomorrow"}}', "invalid_field", "join_at"),
        (f'{{"meeting_url": "{ZOOM}", "join_at": "2026-11-23"}}', "invalid_field", "join_at"),
        (f'{{"meeting_url": "{ZOOM}", "join_at": 12}}', "invalid_field", "join_at"),
        (f'{{"meeting_url": "{ZOOM}", "title": 5}}', "invalid_field", "title"),
        (f'{{"meeting_url": "{ZOOM}", "bot_name": []}}', "invalid_field", "bot_name"),
        (f'{{"meeting_url": "{ZOOM}", "workspace_id": 7}}', "invalid_field", "workspace_id"),
    ],
)
async def test_invalid_create_bodies_answer_400_and_spend_nothing(
    start: StartApi, body: str, code: str, param: str | None
) -> None:
    api = await start(credits=1)
    answer = await api.call("POST", "/meetings", data=body)
    assert_error(answer, 400, code, param)
    assert answer.body["error"]["type"] == "invalid_request_error"
    assert api.served.state.bots == ()
    assert (await api.create()).status == 201


async def test_credits_run_out_with_402(start: StartApi) -> None:
    api = await start(credits=2)
    assert [(await api.create()).status for _ in range(2)] == [201, 201]
    answer = await api.create()
    assert_error(answer, 402, "credits_exhausted")
    assert len(api.served.state.bots) == 2
    assert (await api.call("GET", "/meetings")).status == 200


async def test_bots_of_another_key_are_invisible(start: StartApi) -> None:
    api = await start()
    bot_id = (await api.create()).body["id"]
    assert_error(
        await api.call("GET", f"/meetings/{bot_id}", key=OTHER_KEY), 404, "resource_not_found"
    )
    cancel = await api.call("POST", f"/meetings/{bot_id}/cancel", key=OTHER_KEY)
    assert_error(cancel, 404, "resource_not_found")
    assert (await api.call("GET", "/meetings", key=OTHER_KEY)).body["data"] == []
    assert await api.status_of(bot_id) == "pending"


async def test_unknown_ids_and_routes_answer_404_json(start: StartApi) -> None:
    api = await start()
    assert_error(await api.call("GET", "/meetings/meeting_nope"), 404, "resource_not_found")
    assert_error(await api.call("GET", "/nothing"), 404, "resource_not_found")


# --- rate limit ---------------------------------------------------------------------------


async def test_rate_limit_refuses_rpm_plus_one_until_the_window_frees(start: StartApi) -> None:
    api = await start(rpm=3)
    reset = str(int(api.clock.now().timestamp()) + 60)
    answers = [await api.call("GET", "/meetings") for _ in range(3)]
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
    assert {(a.headers["X-RateLimit-Limit"], a.headers["X-RateLimit-Reset"]) for a in answers} == {
        ("3", reset)
    }
    refused = await api.call("GET", "/meetings")
    assert_error(refused, 429, "rate_limit_exceeded")
    assert refused.body["error"]["type"] == "rate_limit_error"
    assert (refused.headers["Retry-After"], refused.headers["X-RateLimit-Reset"]) == ("60", reset)
    api.clock.advance(30)
    assert (await api.call("GET", "/meetings")).headers["Retry-After"] == "30"
    assert (await api.call("GET", "/meetings", key=OTHER_KEY)).status == 200
    api.clock.advance(30)
    freed = await api.call("GET", "/meetings")
    assert freed.status == 200
    assert freed.headers["X-RateLimit-Remaining"] == "2"  # the two 429s were not counted
    assert "Retry-After" not in freed.headers


async def test_errors_count_against_the_rate_limit(start: StartApi) -> None:
    api = await start(rpm=2)
    assert (await api.call("GET", "/meetings/meeting_nope")).status == 404
    assert (await api.call("POST", "/meetings", data="{}")).status == 400
    assert (await api.call("GET", "/meetings")).status == 429


# --- lifecycle ----------------------------------------------------------------------------

NORMAL_TAIL = [
    ("in_call_recording", 2),
    ("call_ended", 6),
    ("recording_done", 2),
    ("done", 3),
    ("media_expired", 5),
]
LIFECYCLES: dict[str, tuple[OutcomeMix, list[tuple[str, int]]]] = {
    "normal": (
        OutcomeMix(),
        [("pending", 0), ("joining_call", 1), ("in_call_not_recording", 3), *NORMAL_TAIL],
    ),
    "waiting_room_admitted": (
        OutcomeMix(waiting_room_admitted=1.0),
        [
            ("pending", 0),
            ("joining_call", 1),
            ("in_waiting_room", 3),
            ("in_call_not_recording", 4),
            *NORMAL_TAIL,
        ],
    ),
    "waiting_room_rejected": (
        OutcomeMix(waiting_room_rejected=1.0),
        [("pending", 0), ("joining_call", 1), ("in_waiting_room", 3), ("fatal", 5)],
    ),
    "fatal": (OutcomeMix(fatal=1.0), [("pending", 0), ("joining_call", 1), ("fatal", 3)]),
    "permission_denied": (
        OutcomeMix(permission_denied=1.0),
        [
            ("pending", 0),
            ("joining_call", 1),
            ("in_call_not_recording", 3),
            ("recording_permission_denied", 2),
        ],
    ),
}


def changes_at(steps: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """(status, seconds after creation) from (status, seconds after the previous change)."""
    elapsed = 0
    result = []
    for status, gap in steps:
        elapsed += gap
        result.append((status, elapsed))
    return result


async def observe_each_second(api: Api, bot_id: str, seconds: int) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    for second in range(seconds):
        status = await api.status_of(bot_id)
        if not seen or seen[-1][0] != status:
            seen.append((status, second))
        api.clock.advance(1)
    return seen


@pytest.mark.parametrize("outcome", sorted(LIFECYCLES))
async def test_lifecycle_follows_the_script_of_each_outcome(start: StartApi, outcome: str) -> None:
    mix, steps = LIFECYCLES[outcome]
    api = await start(mix=mix)
    bot_id = (await api.create()).body["id"]
    expected = changes_at(steps)
    assert await observe_each_second(api, bot_id, 30) == expected
    bots = (await api.sim("GET", "bots"))["bots"]
    timeline = [(entry["status"], entry["at"][11:19]) for entry in bots[0]["timeline"]]
    assert timeline == [(status, f"08:00:{at:02d}") for status, at in expected]
    assert bots[0]["outcome"] == outcome


def test_every_documented_status_is_reachable() -> None:
    reached = {status for _, steps in LIFECYCLES.values() for status, _ in steps}
    assert reached | {"cancelled"} == {status.value for status in BotStatus}


async def test_scheduled_bot_stays_pending_until_join_at(start: StartApi) -> None:
    api = await start()
    bot_id = (await api.create(join_at=FUTURE)).body["id"]
    api.clock.advance(3599)
    assert await api.status_of(bot_id) == "pending"
    api.clock.advance(1)
    assert await api.status_of(bot_id) == "joining_call"


async def test_done_meeting_shows_results_until_media_expire(start: StartApi) -> None:
    api = await start()
    bot_id = (await api.create()).body["id"]
    api.clock.advance(17)
    done = (await api.call("GET", f"/meetings/{bot_id}")).body
    assert (done["status"], done["has_transcript"]) == ("done", True)
    assert done["completed_at"] == done["updated_at"] == "2026-11-23T08:00:17Z"
    assert done["recording_url"].endswith(f"/{bot_id}.mp4")
    assert done["transcript"]["duration_seconds"] == 6
    api.clock.advance(5)
    expired = (await api.call("GET", f"/meetings/{bot_id}")).body
    assert (expired["status"], expired["recording_url"], expired["has_transcript"]) == (
        "media_expired",
        None,
        False,
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
