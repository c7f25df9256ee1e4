"""A loopback iCalendar feed server (ETags, failures, redirects), a fake DNS resolver and an
ICS builder."""

from __future__ import annotations

import hashlib
import socket
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from service.core.timestamps import utc_iso


@dataclass(slots=True, kw_only=True)
class Event:
    uid: str
    start: datetime
    end: datetime
    title: str = "Pipeline review"
    url: str | None = "https://acme.zoom.us/j/81234567890"
    sequence: int = 0
    status: str | None = None
    organizer: str = "jane@acme.example"
    attendees: tuple[tuple[str, str], ...] = (("jane@acme.example", "ACCEPTED"),)
    rrule: str | None = None


def _stamp(value: datetime) -> str:
    return utc_iso(value).replace("-", "").replace(":", "")


def ics(events: list[Event], *, clip: tuple[datetime, datetime] | None = None) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//autojoin tests//EN"]
    if clip:
        lines += [f"X-CLIPSTART:{_stamp(clip[0])}", f"X-CLIPEND:{_stamp(clip[1])}"]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{_stamp(datetime(2026, 11, 1, tzinfo=UTC))}",
            f"DTSTART:{_stamp(event.start)}",
            f"DTEND:{_stamp(event.end)}",
            f"SUMMARY:{event.title}",
            f"SEQUENCE:{event.sequence}",
            f"ORGANIZER:mailto:{event.organizer}",
        ]
        lines += [f"ATTENDEE;PARTSTAT={p}:mailto:{email}" for email, p in event.attendees]
        if event.url:
            lines.append(f"LOCATION:{event.url}")
        if event.status:
            lines.append(f"STATUS:{event.status}")
        if event.rrule:
            lines.append(f"RRULE:{event.rrule}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


@dataclass(slots=True)
class FeedServer:
    """Feeds by path; each answer has an ETag, and a matching If-None-Match gets 304."""

    feeds: dict[str, bytes] = field(default_factory=dict)
    failing: dict[str, int] = field(default_factory=dict)
    redirects: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, int]] = field(default_factory=list)
    base_url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["name"]
        response = self._answer(path, request.headers.get("If-None-Match"))
        self.requests.append((path, response.status))
        return response

    def _answer(self, path: str, etag: str | None) -> web.StreamResponse:
        if path in self.redirects:
            # Sent as given, malformed or not: what a broken or hostile server may answer.
            return web.Response(status=302, headers={"Location": self.redirects[path]})
        if path in self.failing:
            return web.Response(status=self.failing[path], text="feed unavailable")
        if path not in self.feeds:
            return web.Response(status=404)
        body = self.feeds[path]
        tag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if etag == tag:
            return web.Response(status=304, headers={"ETag": tag})
        return web.Response(body=body, headers={"ETag": tag, "Content-Type": "text/calendar"})

    def url(self, name: str) -> str:
        return f"{self.base_url}/feeds/{name}"


class FakeResolver(AbstractResolver):
    """Names to addresses as a DNS server would answer them, without the network."""

    def __init__(self, names: Mapping[str, Sequence[str]]) -> None:
        self.names = dict(names)
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.names:
            raise OSError(f"no such name: {host}")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.names[host]
        ]

    async def close(self) -> None:
        return None


@asynccontextmanager
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    app = web.Application()
    app.router.add_get("/feeds/{name}", server.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield server
    finally:
        await runner.cleanup()
