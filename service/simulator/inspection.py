"""The unauthenticated ``/_sim/`` endpoints: bots with timelines, request stats, fault knobs
(rates, latency, and deleting one bot)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Final

from aiohttp import web

from service.core.errors import ConfigError
from service.simulator.bots import SimBot
from service.simulator.errors import invalid_field, not_found
from service.simulator.payloads import JsonObject, inspection_payload, iso
from service.simulator.settings import Faults
from service.simulator.state import SIMULATOR_KEY, RequestRecord, Simulator
from service.simulator.validation import parse_json_object

SIM_PREFIX: Final = "/_sim"
FAULT_KNOBS: Final = frozenset(item.name for item in fields(Faults))


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateGroup:
    """More than one non-cancelled bot asked for the same link and join time."""

    meeting_url: str
    join_at: datetime | None
    bot_ids: tuple[str, ...]

    def payload(self) -> JsonObject:
        return {
            "meeting_url": self.meeting_url,
            "join_at": iso(self.join_at),
            "bot_ids": self.bot_ids,
        }


def find_duplicates(bots: Iterable[SimBot]) -> list[DuplicateGroup]:
    """Groups by (meeting_url, join_at as requested), so late adhoc retries still match."""
    groups: dict[tuple[str, datetime | None], list[str]] = {}
    for bot in bots:
        if bot.cancelled_at is None:
            groups.setdefault((bot.meeting_url, bot.requested_join_at), []).append(bot.id)
    return [
        DuplicateGroup(meeting_url=url, join_at=join_at, bot_ids=tuple(ids))
        for (url, join_at), ids in groups.items()
        if len(ids) > 1
    ]


def _by_route(records: Iterable[RequestRecord]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for record in records:
        counts.setdefault(f"{record.method} {record.route}", Counter())[str(record.status)] += 1
    return {route: dict(sorted(statuses.items())) for route, statuses in sorted(counts.items())}


def stats_payload(sim: Simulator) -> JsonObject:
    statuses = Counter(record.status for record in sim.requests)
    groups = find_duplicates(sim.bots)
    return {
        "requests": len(sim.requests),
        "by_route": _by_route(sim.requests),
        "by_status": {str(status): n for status, n in sorted(statuses.items())},
        "creates": len(sim.bots),
        "rate_limited": statuses[429],
        "server_errors": sum(n for status, n in statuses.items() if status >= 500),
        "duplicates": sum(len(group.bot_ids) - 1 for group in groups),
        "duplicate_groups": [group.payload() for group in groups],
        "credits_left": sim.credits_left,
    }


def updated_faults(faults: Faults, changes: Mapping[str, object]) -> Faults:
    """``faults`` with the given knobs changed; refuses unknown knobs and bad values."""
    values: dict[str, float] = {}
    for name, value in changes.items():
        if name not in FAULT_KNOBS:
            raise invalid_field(name, f"unknown fault knob {name!r}")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid_field(name, f"{name} must be a number")
        values[name] = float(value)
    try:
        return replace(faults, **values)
    except ConfigError as exc:
        raise invalid_field(exc.key.removeprefix("faults."), exc.problem) from exc


def _simulator(request: web.Request) -> Simulator:
    return request.app[SIMULATOR_KEY]


async def show_bots(request: web.Request) -> web.Response:
    sim = _simulator(request)
    now = sim.clock.now()
    bots = [inspection_payload(bot, now) for bot in sim.bots]
    return web.json_response({"now": iso(now), "bots": bots})


async def delete_bot(request: web.Request) -> web.Response:
    """Fault knob: Mavera forgets one bot (reads answer 404 from now on)."""
    bot_id = request.match_info["id"]
    if _simulator(request).delete_bot(bot_id) is None:
        raise not_found("meeting")
    return web.json_response({"deleted": bot_id})


async def show_requests(request: web.Request) -> web.Response:
    records = [
        {
            "method": r.method,
            "route": r.route,
            "status": r.status,
            "at": iso(r.at),
            "key": r.key_hash,
        }
        for r in _simulator(request).requests
    ]
    return web.json_response({"requests": records})


async def show_stats(request: web.Request) -> web.Response:
    return web.json_response(stats_payload(_simulator(request)))


async def show_faults(request: web.Request) -> web.Response:
    return web.json_response(asdict(_simulator(request).faults))


async def change_faults(request: web.Request) -> web.Response:
    sim = _simulator(request)
    sim.faults = updated_faults(sim.faults, parse_json_object(await request.text()))
    return web.json_response(asdict(sim.faults))


def add_inspection_routes(app: web.Application) -> None:
    app.router.add_get(f"{SIM_PREFIX}/bots", show_bots)
    app.router.add_delete(f"{SIM_PREFIX}/bots/{{id}}", delete_bot)
    app.router.add_get(f"{SIM_PREFIX}/requests", show_requests)
    app.router.add_get(f"{SIM_PREFIX}/stats", show_stats)
    app.router.add_get(f"{SIM_PREFIX}/faults", show_faults)
    app.router.add_post(f"{SIM_PREFIX}/faults", change_faults)
