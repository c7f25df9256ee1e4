"""Mavera JSON to domain values and back, tolerant of the shapes the docs leave open."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from service.adapters.mavera.payloads import (
    PayloadError,
    create_body,
    error_fields,
    page,
    remote_bot,
    retry_after_seconds,
)
from service.core.model import RemoteBot, RemotePage

DATA = Path(__file__).parent / "data"
ZOOM = "https://acme.zoom.us/j/81234567890?pwd=abc"
JOIN_AT = datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC)
CREATED_AT = datetime(2023, 11, 7, 5, 21, 56, tzinfo=UTC)


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def bot_json(mavera_id: str, status: str = "pending") -> dict[str, Any]:
    return {"id": mavera_id, "status": status, "meeting_url": ZOOM, "join_at": None}


def bot(mavera_id: str, status: str = "pending") -> RemoteBot:
    return RemoteBot(
        mavera_id=mavera_id, status=status, meeting_url=ZOOM, join_at=None, created_at=None
    )


def test_the_documented_create_response_with_an_object_url_parses() -> None:
    assert remote_bot(load("mavera_create_response.json")) == RemoteBot(
        mavera_id="meeting_123",
        status="pending",
        meeting_url=ZOOM,
        join_at=JOIN_AT,
        created_at=CREATED_AT,
        title="Pipeline review",
    )


def test_the_documented_get_response_with_a_string_url_parses() -> None:
    assert remote_bot(load("mavera_get_response.json")) == RemoteBot(
        mavera_id="meeting_123",
        status="done",
        meeting_url=ZOOM,
        join_at=JOIN_AT,
        created_at=CREATED_AT,
        title="Pipeline review",
    )


@pytest.mark.parametrize(
    ("meeting_url", "expected"),
    [
        (ZOOM, ZOOM),
        ({"url": ZOOM}, ZOOM),
        ({"href": ZOOM, "platform": "zoom"}, ZOOM),
        ({"meeting_url": ZOOM}, ZOOM),
        ({"join_url": ZOOM}, ZOOM),
        ({"meeting_id": "81234567890", "platform": "zoom"}, None),
        ({"url": 42}, None),
        (None, None),
        (["x"], None),
    ],
)
def test_meeting_url_is_read_from_a_string_or_an_object(
    meeting_url: Any, expected: str | None
) -> None:
    parsed = remote_bot({"id": "m1", "status": "pending", "meeting_url": meeting_url})
    assert parsed.meeting_url == expected


def test_missing_or_odd_optional_fields_become_none() -> None:
    data = {
        "id": "m1",
        "status": "joining_call",
        "title": 7,
        "join_at": "tomorrow",
        "created_at": "",
    }
    assert remote_bot(data) == RemoteBot(
        mavera_id="m1", status="joining_call", meeting_url=None, join_at=None, created_at=None
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-11-07T05:31:56Z", JOIN_AT),
        ("2023-11-07T06:31:56+01:00", JOIN_AT),
        ("2023-11-07T05:31:56", JOIN_AT),
        ("2023-11-07T05:31:56.250Z", JOIN_AT + timedelta(milliseconds=250)),
    ],
)
def test_times_are_read_as_utc(value: str, expected: datetime) -> None:
    join_at = remote_bot({"id": "m1", "status": "pending", "join_at": value}).join_at
    assert join_at == expected
    assert join_at is not None
    assert join_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "pending"}, "meeting object has no id"),
        ({"id": "", "status": "pending"}, "meeting object has no id"),
        ({"id": 123, "status": "pending"}, "meeting object has no id"),
        ({"id": "m1"}, "meeting m1 has no status"),
        ({"id": "m1", "status": None}, "meeting m1 has no status"),
        ({"id": "m1", "status": ""}, "meeting m1 has no status"),
        (["m1", "pending"], "meeting object is not a JSON object"),
    ],
)
def test_a_bot_without_id_or_status_is_a_payload_error(data: Any, message: str) -> None:
    with pytest.raises(PayloadError, match=f"^{re.escape(message)}$"):
        remote_bot(data)


def test_a_cursor_page_follows_next_cursor() -> None:
    data = {
        "object": "list",
        "data": [bot_json("m1"), bot_json("m2")],
        "has_more": True,
        "next_cursor": "cur_2",
    }
    assert page(data, offset=0) == (
        RemotePage(bots=(bot("m1"), bot("m2")), has_more=True, next_cursor="cur_2"),
        2,
    )


def test_the_last_cursor_page_has_no_more() -> None:
    data = {"object": "list", "data": [bot_json("m3")], "has_more": False, "next_cursor": None}
    assert page(data, offset=2) == (
        RemotePage(bots=(bot("m3"),), has_more=False, next_cursor=None),
        3,
    )


def test_a_cursor_without_has_more_means_more() -> None:
    data = {"data": [bot_json("m1")], "next_cursor": "cur_2"}
    assert page(data, offset=0)[0].has_more is True


def test_an_offset_page_advances_the_offset_by_its_length() -> None:
    data = {
        "object": "list",
        "data": [bot_json("m3"), bot_json("m4")],
        "total": 5,
        "limit": 2,
        "offset": 2,
        "has_more": True,
    }
    assert page(data, offset=2) == (
        RemotePage(bots=(bot("m3"), bot("m4")), has_more=True, next_cursor=None),
        4,
    )


def test_a_bare_array_is_one_final_page() -> None:
    assert page([bot_json("m1", "done")], offset=0) == (
        RemotePage(bots=(bot("m1", "done"),), has_more=False, next_cursor=None),
        1,
    )


def test_an_empty_page_never_claims_more() -> None:
    data = {"data": [], "has_more": True, "next_cursor": "cur_again"}
    assert page(data, offset=7) == (
        RemotePage(bots=(), has_more=False, next_cursor="cur_again"),
        7,
    )


@pytest.mark.parametrize("data", [{"object": "list"}, {"data": {"m1": {}}}, "[]", None])
def test_a_list_answer_without_a_data_array_is_a_payload_error(data: Any) -> None:
    with pytest.raises(PayloadError, match=r"^list answer has no data array$"):
        page(data, offset=0)


def test_a_bad_bot_inside_a_page_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match=r"^meeting m2 has no status$"):
        page({"data": [bot_json("m1"), {"id": "m2"}]}, offset=0)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {
                "error": {
                    "message": "Rate limit exceeded",
                    "type": "rate_limit_error",
                    "code": "rate_limit_exceeded",
                    "param": None,
                }
            },
            ("rate_limit_exceeded", "Rate limit exceeded"),
        ),
        ({"error": {"message": "Missing meeting_url"}}, (None, "Missing meeting_url")),
        ({"error": {"code": 400, "message": ["x"]}}, (None, None)),
        ({"error": "bad request"}, (None, None)),
        ("<html>502 Bad Gateway</html>", (None, None)),
        (None, (None, None)),
    ],
)
def test_error_fields_reads_code_and_message(
    data: Any, expected: tuple[str | None, str | None]
) -> None:
    assert error_fields(data) == expected


NOW = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("30", 30.0),
        ("1.5", 1.5),
        ("0", 0.0),
        ("-3", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 30.0),
        ("Wed, 21 Oct 2015 09:28:00 +0200", 30.0),
        ("Wed, 21 Oct 2015 07:00:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("30 seconds", None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_retry_after_reads_seconds_or_an_http_date(
    value: str | None, expected: float | None
) -> None:
    assert retry_after_seconds(value, now=NOW) == expected


def test_create_body_sends_join_at_in_utc_with_z() -> None:
    join_at = datetime(2026, 11, 24, 10, 59, 0, 750_000, tzinfo=timezone(timedelta(hours=2)))
    assert create_body(
        meeting_url=ZOOM,
        join_at=join_at,
        title="Pipeline review",
        bot_name="Mavera Notetaker",
        workspace_id="ws_abc123",
    ) == {
        "meeting_url": ZOOM,
        "join_at": "2026-11-24T08:59:00Z",
        "title": "Pipeline review",
        "bot_name": "Mavera Notetaker",
        "workspace_id": "ws_abc123",
    }


@pytest.mark.parametrize("workspace_id", [None, ""])
def test_create_body_leaves_out_an_unset_workspace(workspace_id: str | None) -> None:
    body = create_body(
        meeting_url=ZOOM,
        join_at=datetime(2026, 11, 24, 8, 59, tzinfo=UTC),
        title="t",
        bot_name="b",
        workspace_id=workspace_id,
    )
    assert body == {
        "meeting_url": ZOOM,
        "join_at": "2026-11-24T08:59:00Z",
        "title": "t",
        "bot_name": "b",
    }
