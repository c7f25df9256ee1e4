"""Shapes, authentication, validation, credits and ownership, as the API documents them."""

from __future__ import annotations

import pytest

from tests.integration.simulator.support import (
    FUTURE,
    KEY,
    OTHER_KEY,
    ZOOM,
    Answer,
    StartApi,
    assert_error,
    assert_rate_headers,
)

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
