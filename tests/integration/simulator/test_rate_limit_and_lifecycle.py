"""The per-key sliding-window rate limit and the clock-driven bot lifecycle."""

from __future__ import annotations

import pytest

from service.core.model import BotStatus
from service.simulator import OutcomeMix
from tests.integration.simulator.support import (
    FUTURE,
    OTHER_KEY,
    Api,
    StartApi,
    assert_error,
)

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
