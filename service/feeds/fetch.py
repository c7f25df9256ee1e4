"""Fetching a feed: conditional GET, bounded size, time and redirects, and no SSRF."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import socket
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from service.errors import ServiceError
from service.feeds.addresses import FeedUrlRefused, check_url, is_public

USER_AGENT = "autojoin (calendar feed reader)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FeedFetchError(ServiceError):
    """A feed could not be fetched; the message never repeats the feed's (secret) URL."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchSettings:
    timeout: timedelta
    max_bytes: int
    max_redirects: int
    allow_private: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Fetched:
    """``data`` is None when the feed did not change since the validators we sent."""

    data: bytes | None
    etag: str | None
    last_modified: str | None


class GuardedResolver(AbstractResolver):
    """Resolves names but refuses to hand out private or local addresses (DNS rebinding:
    the check happens on the very addresses the connection will use)."""

    def __init__(self) -> None:
        self._inner = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        public = [r for r in results if is_public(ipaddress.ip_address(r["host"]))]
        if not public:
            raise OSError("the feed's host resolves to a private or local address")
        return public

    async def close(self) -> None:
        await self._inner.close()


def feed_session(settings: FetchSettings) -> aiohttp.ClientSession:
    resolver = None if settings.allow_private else GuardedResolver()
    connector = aiohttp.TCPConnector(resolver=resolver, limit=8)
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": USER_AGENT})


async def fetch_url(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    settings: FetchSettings,
) -> Fetched:
    headers = {"If-None-Match": etag} if etag else {}
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    target = url
    try:
        async with asyncio.timeout(settings.timeout.total_seconds()):
            for _ in range(settings.max_redirects + 1):
                check_url(target, allow_private=settings.allow_private)
                async with session.get(target, headers=headers, allow_redirects=False) as resp:
                    if resp.status in REDIRECTS and "Location" in resp.headers:
                        target = str(URL(target).join(URL(resp.headers["Location"])))
                        continue
                    return await _read(
                        resp, etag=etag, last_modified=last_modified, settings=settings
                    )
    except FeedUrlRefused as exc:
        raise FeedFetchError(str(exc)) from None
    except TimeoutError:
        raise FeedFetchError(
            f"no complete answer within {settings.timeout.total_seconds():.0f} s"
        ) from None
    except (aiohttp.ClientError, OSError) as exc:
        raise FeedFetchError(f"could not fetch the feed ({_reason(exc)})") from None
    raise FeedFetchError(f"more than {settings.max_redirects} redirects")


async def _read(
    resp: aiohttp.ClientResponse,
    *,
    etag: str | None,
    last_modified: str | None,
    settings: FetchSettings,
) -> Fetched:
    if resp.status == 304:
        return Fetched(data=None, etag=etag, last_modified=last_modified)
    if resp.status != 200:
        raise FeedFetchError(f"the feed answered HTTP {resp.status}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > settings.max_bytes:
            raise FeedFetchError(f"the feed is {too_large(settings.max_bytes)}")
        chunks.append(chunk)
    return Fetched(
        data=b"".join(chunks),
        etag=resp.headers.get("ETag"),
        last_modified=resp.headers.get("Last-Modified"),
    )


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, OSError) and "private or local" in text:
        return text
    return type(exc).__name__


def too_large(max_bytes: int) -> str:
    return f"larger than {max_bytes} bytes (calendars.max_feed_bytes)"


def read_bounded(path: str | Path, max_bytes: int) -> bytes:
    """A whole file of at most ``max_bytes``; never reads more than one byte past that.

    The one reader of untrusted files: calendar files (sync, preview) and imports.

    :raises FeedFetchError: the file is larger, or cannot be read.
    """
    try:
        with Path(path).open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FeedFetchError(f"cannot read the file ({exc.strerror})") from None
    if len(data) > max_bytes:
        raise FeedFetchError(f"the file is {too_large(max_bytes)}")
    return data


async def read_file(path: str, *, etag: str | None, max_bytes: int) -> Fetched:
    """A feed from a file; its content hash plays the part of an ETag."""
    data = await asyncio.to_thread(read_bounded, path, max_bytes)
    digest = hashlib.sha256(data).hexdigest()
    if digest == etag:
        return Fetched(data=None, etag=etag, last_modified=None)
    return Fetched(data=data, etag=digest, last_modified=None)
