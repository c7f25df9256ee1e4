"""make_simulator_app: the simulated Meetings API routes, handlers and request pipeline."""

from __future__ import annotations

import asyncio
from typing import Final

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler

from service.core.ports import Clock
from service.simulator.errors import ApiError, not_found, server_error
from service.simulator.inspection import add_inspection_routes
from service.simulator.pagination import cursor_page, offset_page
from service.simulator.payloads import cancel_payload, create_payload, meeting_payload
from service.simulator.ratelimit import RateDecision
from service.simulator.settings import SimulatorSettings
from service.simulator.state import SIMULATOR_KEY, CreateFault, RequestRecord, Simulator
from service.simulator.validation import (
    parse_cancel_reason,
    parse_count,
    parse_create,
    parse_json_object,
)

API_PREFIX: Final = "/api/v1"
OWNER_KEY: Final = web.RequestKey("owner", str)
MAX_PAGE: Final = 100
MAX_OFFSET: Final = 1_000_000


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.body(), status=error.status, headers=error.headers)


def _stamp(response: web.StreamResponse, decision: RateDecision) -> web.StreamResponse:
    response.headers.update(decision.headers())
    return response


def _from_http_exception(exc: web.HTTPException) -> ApiError:
    if exc.status == 404:
        return not_found("resource")
    return ApiError(exc.status, "invalid_request", exc.reason)


def _route_of(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "<unmatched>"


def _is_api(request: web.Request) -> bool:
    return request.path == API_PREFIX or request.path.startswith(f"{API_PREFIX}/")


async def _handle(sim: Simulator, request: web.Request, handler: Handler) -> web.StreamResponse:
    """Injected 5xx first (nothing happens), then the handler; refusals become JSON errors."""
    try:
        fault = sim.draw_server_error()
        if fault is not None:
            raise fault
        return await handler(request)
    except ApiError as error:
        return _error_response(error)
    except web.HTTPException as exc:
        return _error_response(_from_http_exception(exc))


async def _answer(
    sim: Simulator, request: web.Request, handler: Handler
) -> tuple[web.StreamResponse, str | None]:
    """Auth, then the rate limit (only admitted requests count), then faults and handler."""
    now = sim.clock.now()
    try:
        owner = sim.authenticate(request.headers.get(hdrs.AUTHORIZATION))
    except ApiError as error:
        return _stamp(_error_response(error), sim.limiter.peek(None, now)), None
    decision = sim.limiter.admit(owner, now)
    if not decision.allowed:
        refusal = ApiError(
            429,
            "rate_limit_exceeded",
            f"rate limit of {decision.limit} requests per minute exceeded",
            headers=decision.headers(),
        )
        return _error_response(refusal), owner
    request[OWNER_KEY] = owner
    return _stamp(await _handle(sim, request, handler), decision), owner


@web.middleware
async def simulate_api(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Runs every API request through the pipeline, records it, then adds the latency."""
    if not _is_api(request):
        try:
            return await handler(request)
        except ApiError as error:
            return _error_response(error)
    sim = request.app[SIMULATOR_KEY]
    arrived_at = sim.clock.now()
    response, owner = await _answer(sim, request, handler)
    route = _route_of(request)
    sim.record(
        RequestRecord(
            method=request.method,
            route=route,
            status=response.status,
            at=arrived_at,
            key_hash=owner,
        )
    )
    if sim.faults.latency_seconds > 0:
        await asyncio.sleep(sim.faults.latency_seconds)
    return response


async def create_meeting(request: web.Request) -> web.Response:
    sim = request.app[SIMULATOR_KEY]
    wanted = parse_create(parse_json_object(await request.text()))
    bot = sim.create_bot(request[OWNER_KEY], wanted)
    fault = sim.draw_create_fault()
    if fault is CreateFault.ERROR_AFTER_CREATE:
        raise server_error(500)
    if fault is CreateFault.DELAYED:
        await asyncio.sleep(sim.faults.delayed_create_seconds)
    return web.json_response(create_payload(bot), status=201)


async def get_meeting(request: web.Request) -> web.Response:
    sim = request.app[SIMULATOR_KEY]
    bot = sim.bot_for(request[OWNER_KEY], request.match_info["id"])
    return web.json_response(meeting_payload(bot, sim.clock.now()))


async def cancel_meeting(request: web.Request) -> web.Response:
    sim = request.app[SIMULATOR_KEY]
    reason = parse_cancel_reason(parse_json_object(await request.text(), empty_ok=True))
    bot = sim.cancel_bot(request[OWNER_KEY], request.match_info["id"], reason)
    return web.json_response(cancel_payload(bot))


async def list_meetings(request: web.Request) -> web.Response:
    sim = request.app[SIMULATOR_KEY]
    query = request.query
    bots = sim.bots_of(request[OWNER_KEY], query.get("workspace_id"))
    now = sim.clock.now()
    if sim.settings.list_shape == "offset":
        limit = parse_count(query.get("limit"), param="limit", default=20, low=1, high=MAX_PAGE)
        offset = parse_count(query.get("offset"), param="offset", default=0, low=0, high=MAX_OFFSET)
        return web.json_response(offset_page(bots, limit=limit, offset=offset, now=now))
    limit = parse_count(query.get("limit"), param="limit", default=50, low=1, high=MAX_PAGE)
    page = cursor_page(bots, limit=limit, cursor=query.get("cursor"), now=now)
    return web.json_response(page)


def make_simulator_app(settings: SimulatorSettings, *, clock: Clock) -> web.Application:
    """The simulated API under ``/api/v1`` plus the unauthenticated ``/_sim/`` inspection."""
    app = web.Application(middlewares=[simulate_api])
    app[SIMULATOR_KEY] = Simulator(settings, clock=clock)
    app.router.add_post(f"{API_PREFIX}/meetings", create_meeting)
    app.router.add_get(f"{API_PREFIX}/meetings", list_meetings)
    app.router.add_get(f"{API_PREFIX}/meetings/{{id}}", get_meeting)
    app.router.add_post(f"{API_PREFIX}/meetings/{{id}}/cancel", cancel_meeting)
    add_inspection_routes(app)
    return app
