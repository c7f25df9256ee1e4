"""MaveraClient against the simulator on loopback: shapes, retries, limits, secrecy."""

from __future__ import annotations

import logging
import socket
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web

from service.adapters.alerting import LoggingAlerts
from service.adapters.local_budget import LocalBudget
from service.adapters.mavera.client import MaveraClient
from service.core.errors import (
    MaveraNotFound,
    MaveraNotSent,
    MaveraOutcomeUnknown,
    MaveraRejected,
    MaveraUnauthorized,
)
from service.credentials import ApiKey
from service.simulator import Faults, Simulator
from tests.conftest import T0
from tests.fakes.clock import FakeClock
from tests.fakes.mavera import TEST_KEY, mavera, sim_settings

URL = "https://acme.zoom.us/j/81234567890"
JOIN = T0 + timedelta(hours=1)


def requests_to(sim: Simulator, method: str, route: str) -> list[int]:
    return [r.status for r in sim.requests if r.method == method and r.route == route]


async def create(client: MaveraClient, url: str = URL) -> str:
    bot = await client.create_bot(
        meeting_url=url, join_at=JOIN, title="Review", bot_name="Notetaker", workspace_id=None
    )
    return bot.mavera_id


async def test_create_get_list_cancel(clock: FakeClock) -> None:
    async with mavera(clock) as m:
        created = await m.client.create_bot(
            meeting_url=URL, join_at=JOIN, title="Review", bot_name="Notetaker", workspace_id=None
        )
        assert (created.status, created.meeting_url, created.join_at) == ("pending", URL, JOIN)
        got = await m.client.get_bot(created.mavera_id)
        assert (got.mavera_id, got.status, got.meeting_url) == (created.mavera_id, "pending", URL)
        pages = [page async for page in m.client.list_pages()]
        assert [b.mavera_id for p in pages for b in p.bots] == [created.mavera_id]
        await m.client.cancel_bot(created.mavera_id, reason="meeting cancelled")
        assert (await m.client.get_bot(created.mavera_id)).status == "cancelled"


async def test_list_follows_cursors_across_pages(clock: FakeClock) -> None:
    async with mavera(clock) as m:
        ids = [await create(m.client, f"https://acme.zoom.us/j/8123456{i:04d}") for i in range(130)]
        pages = [page async for page in m.client.list_pages(page_size=50)]
        assert [len(p.bots) for p in pages] == [50, 50, 30]
        assert sorted(b.mavera_id for p in pages for b in p.bots) == sorted(ids)


async def test_list_accepts_the_older_offset_shape(clock: FakeClock) -> None:
    async with mavera(clock, sim_settings(list_shape="offset")) as m:
        ids = [await create(m.client, f"https://acme.zoom.us/j/8123456{i:04d}") for i in range(45)]
        pages = [page async for page in m.client.list_pages(page_size=20)]
        assert [len(p.bots) for p in pages] == [20, 20, 5]
        assert sorted(b.mavera_id for p in pages for b in p.bots) == sorted(ids)


async def test_429_waits_retry_after_then_succeeds(clock: FakeClock) -> None:
    async with mavera(clock, sim_settings(rpm=5)) as m:
        await create(m.client)
        # Another client on the same key spends the rest of the window behind our back.
        headers = {"Authorization": f"Bearer {TEST_KEY}"}
        for _ in range(4):
            async with m.session.get(f"{m.sim.base_url}/meetings", headers=headers) as resp:
                assert resp.status == 200
        started = clock.now()
        await create(m.client, "https://acme.zoom.us/j/81234567891")
        creates = requests_to(m.sim.state, "POST", "/api/v1/meetings")
        assert creates == [201, 429, 201]
        assert clock.now() - started >= timedelta(seconds=55)


async def test_budget_keeps_under_the_limit_so_no_429(clock: FakeClock) -> None:
    async with mavera(clock, sim_settings(rpm=10), limit=10) as m:
        for i in range(25):
            await create(m.client, f"https://acme.zoom.us/j/8123456{i:04d}")
        statuses = [r.status for r in m.sim.state.requests]
        assert statuses.count(201) == 25
        assert 429 not in statuses


async def test_server_limit_header_corrects_the_configured_budget(clock: FakeClock) -> None:
    async with mavera(clock, sim_settings(rpm=3), limit=100) as m:
        for i in range(6):
            await create(m.client, f"https://acme.zoom.us/j/8123456{i:04d}")
        assert await m.budget.requests_per_minute() == 3
        assert [r.status for r in m.sim.state.requests].count(429) == 0


async def test_5xx_on_a_read_is_retried_a_bounded_number_of_times(clock: FakeClock) -> None:
    async with mavera(clock) as m:
        bot_id = await create(m.client)
        m.sim.state.faults = Faults(error_rate=1.0)
        with pytest.raises(MaveraOutcomeUnknown):
            await m.client.get_bot(bot_id)
        gets = requests_to(m.sim.state, "GET", "/api/v1/meetings/{id}")
        assert len(gets) == 4
        assert all(code >= 500 for code in gets)


async def test_5xx_on_create_is_never_resent(clock: FakeClock) -> None:
    async with mavera(clock, sim_settings(faults=Faults(error_after_create_rate=1.0))) as m:
        with pytest.raises(MaveraOutcomeUnknown) as caught:
            await create(m.client)
        assert caught.value.status == 500
        assert requests_to(m.sim.state, "POST", "/api/v1/meetings") == [500]
        assert len(m.sim.state.bots) == 1  # the bot exists: only reconciliation may find it


async def test_create_timeout_is_ambiguous_and_not_resent(clock: FakeClock) -> None:
    faults = Faults(delayed_create_rate=1.0, delayed_create_seconds=0.4)
    async with mavera(
        clock, sim_settings(faults=faults), request_timeout=timedelta(seconds=0.15)
    ) as m:
        with pytest.raises(MaveraOutcomeUnknown, match="no answer in time"):
            await create(m.client)
        assert len(m.sim.state.bots) == 1
        assert len(requests_to(m.sim.state, "POST", "/api/v1/meetings")) <= 1


@pytest.mark.parametrize(
    ("url", "error"),
    [("https://example.com/not-a-meeting", MaveraRejected), ("", MaveraRejected)],
)
async def test_4xx_is_not_retried(clock: FakeClock, url: str, error: type[Exception]) -> None:
    async with mavera(clock) as m:
        with pytest.raises(error) as caught:
            await create(m.client, url)
        assert isinstance(caught.value, MaveraRejected)
        assert caught.value.status == 400
        assert caught.value.code in {"invalid_field", "missing_field"}
        assert requests_to(m.sim.state, "POST", "/api/v1/meetings") == [400]


async def test_unknown_bot_is_not_found(clock: FakeClock) -> None:
    async with mavera(clock) as m:
        with pytest.raises(MaveraNotFound) as caught:
            await m.client.get_bot("meeting_nope")
        assert caught.value.code == "resource_not_found"
        assert requests_to(m.sim.state, "GET", "/api/v1/meetings/{id}") == [404]


async def test_revoked_key_fails_fast(clock: FakeClock) -> None:
    settings = sim_settings(revoked_keys=frozenset({TEST_KEY}))
    async with mavera(clock, settings) as m:
        with pytest.raises(MaveraUnauthorized) as caught:
            await create(m.client)
        assert caught.value.code == "revoked_api_key"
        assert len(m.sim.state.requests) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_connection_refused_is_not_sent_and_retried(clock: FakeClock) -> None:
    async with aiohttp.ClientSession() as session:
        client = MaveraClient(
            session=session,
            base_url=f"http://127.0.0.1:{_closed_port()}/api/v1",
            api_key=ApiKey(TEST_KEY),
            budget=LocalBudget(limit=60, read_share=0.5, clock=clock),
            clock=clock,
            timeout=timedelta(seconds=2),
            alerts=LoggingAlerts(clock=clock),
        )
        started = clock.now()
        with pytest.raises(MaveraNotSent):
            await create(client)
        assert clock.now() > started  # backed off between the attempts


async def test_the_key_never_reaches_logs_errors_or_repr(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    faults = Faults(delayed_create_rate=1.0, delayed_create_seconds=0.3)
    messages: list[str] = []
    async with mavera(clock, request_timeout=timedelta(seconds=0.1)) as m:
        await create(m.client)
        m.sim.state.faults = faults
        for failing in (create(m.client), m.client.get_bot("meeting_missing")):
            try:
                await failing
            except Exception as exc:
                messages += [str(exc), repr(exc), repr(exc.__cause__)]
        m.sim.state.faults = Faults(error_rate=1.0)
        with pytest.raises(MaveraOutcomeUnknown) as caught:
            await m.client.get_bot("meeting_x")
        messages += [str(caught.value), repr(m.client)]
    text = caplog.text + "\n".join(messages)
    assert "t3st" not in text
    assert TEST_KEY not in text
    assert "mavera" in text.lower()


async def _echo(request: web.Request) -> web.Response:
    """A Mavera that repeats the request in its error, as some APIs do."""
    body = await request.json()
    message = (
        f"meeting_url {body['meeting_url']} is not allowed for {request.headers['Authorization']}"
    )
    return web.json_response({"error": {"code": "invalid_field", "message": message}}, status=400)


async def test_an_error_that_echoes_the_key_or_the_passcode_keeps_neither(
    clock: FakeClock,
) -> None:
    app = web.Application()
    app.router.add_post("/meetings", _echo)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        async with aiohttp.ClientSession() as session:
            client = MaveraClient(
                session=session,
                base_url=f"http://127.0.0.1:{runner.addresses[0][1]}",
                api_key=ApiKey(TEST_KEY),
                budget=LocalBudget(limit=60, read_share=0.5, clock=clock),
                clock=clock,
                timeout=timedelta(seconds=5),
                alerts=LoggingAlerts(clock=clock),
            )
            with pytest.raises(MaveraRejected) as caught:
                await create(client, f"{URL}?pwd=SECRETPASS")
    finally:
        await runner.cleanup()
    message = caught.value.message
    assert message.startswith("meeting_url https://acme.zoom.us/… (#")
    assert message.endswith("is not allowed for Bearer <redacted>")
    for secret in ("SECRETPASS", TEST_KEY, "81234567890"):
        assert secret not in str(caught.value)
