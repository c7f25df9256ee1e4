"""Fetching a feed (the ``FeedFetcher`` port): conditional GET, bounded size, time and
redirects, and no SSRF; or reading it from a bounded file."""

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

from service.core.errors import FeedUnreadable
from service.core.feed_reading import Fetched
from service.core.feed_urls import MAX_URL_LENGTH, FeedUrlRefused, check_url, is_public

USER_AGENT = "autojoin (calendar feed reader)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FeedFetchError(FeedUnreadable):
    """A feed could not be fetched; the message never repeats the feed's (secret) URL."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchSettings:
    timeout: timedelta
    max_bytes: int
    max_redirects: int
    allow_private: bool


PRIVATE_NAME = "the feed's host resolves to a private or local address"


class PrivateAddress(OSError):
    """Every address a feed's host name resolves to is private or local."""


class GuardedResolver(AbstractResolver):
    """Resolves names but refuses to hand out private or local addresses (DNS rebinding:
    the check happens on the very addresses the connection will use)."""

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner = inner or aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        public = [r for r in results if _public(r["host"])]
        if not public:
            raise PrivateAddress(PRIVATE_NAME)
        return public

    async def close(self) -> None:
        await self._inner.close()


def _public(host: str) -> bool:
    try:
        return is_public(ipaddress.ip_address(host))
    except ValueError:
        return False


def feed_session(
    settings: FetchSettings, *, resolver: AbstractResolver | None = None
) -> aiohttp.ClientSession:
    """A session for feeds; unless private addresses are allowed, every name it resolves
    (through ``resolver``, the system's by default) must lead to public addresses only."""
    guarded = resolver if settings.allow_private else GuardedResolver(resolver)
    connector = aiohttp.TCPConnector(resolver=guarded, limit=8)
    return aiohttp.ClientSession(connector=connector, headers={"User-Agent": USER_AGENT})


async def fetch_url(
    session: aiohttp.ClientSession,
    url: str,
    *,
    etag: str | None,
    last_modified: str | None,
    settings: FetchSettings,
) -> Fetched:
    """The feed at ``url``, following at most ``settings.max_redirects`` redirects, each hop
    checked like the URL itself. Raises only FeedFetchError, whose message never holds a URL."""
    unchanged = Fetched(data=None, etag=etag, last_modified=last_modified)
    try:
        async with asyncio.timeout(settings.timeout.total_seconds()):
            return await _follow(session, url, unchanged, settings)
    except FeedUrlRefused as exc:  # its message never holds the URL
        raise FeedFetchError(str(exc)) from exc
    except TimeoutError as exc:
        raise FeedFetchError(
            f"no complete answer within {settings.timeout.total_seconds():.0f} s"
        ) from exc
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        # aiohttp and yarl put the URL into their messages: only the type is kept, and the
        # cause is not chained (a traceback would print the feed's secret URL).
        raise FeedFetchError(_reason(exc)) from None


async def _follow(
    session: aiohttp.ClientSession, url: str, unchanged: Fetched, settings: FetchSettings
) -> Fetched:
    """``unchanged``: the validators to send, and what to return if the feed did not change."""
    headers = _validators(unchanged.etag, unchanged.last_modified)
    target = url
    for hop in range(settings.max_redirects + 1):
        request = _request_url(target, allow_private=settings.allow_private, redirected=hop > 0)
        async with session.get(request, headers=headers, allow_redirects=False) as resp:
            location = _location(resp)
            if location is None:
                return await _read(resp, unchanged, settings)
        target = _join(request, location)
    raise FeedFetchError(f"more than {settings.max_redirects} redirects")


def _request_url(target: str, *, allow_private: bool, redirected: bool) -> URL:
    """The URL to request, checked; the HTTP library must see the host we checked."""
    try:
        host = check_url(target, allow_private=allow_private)
        url = URL(target)
        if url.raw_host != host:
            raise FeedUrlRefused("the feed URL's host is ambiguous")
    except ValueError as exc:  # FeedUrlRefused, or yarl's own refusal
        reason = str(exc) if isinstance(exc, FeedUrlRefused) else "the feed URL is not valid"
        if redirected:
            reason = f"the feed redirected to an address that is refused ({reason})"
        # Not chained: yarl's refusal quotes the URL, a secret.
        raise FeedUrlRefused(reason) from None
    return url


def _location(resp: aiohttp.ClientResponse) -> str | None:
    """Where a redirect points (None: not a redirect)."""
    if resp.status not in REDIRECTS:
        return None
    location = resp.headers.get("Location", "").strip()
    if not location:
        raise FeedFetchError(f"the feed answered HTTP {resp.status} without a redirect address")
    return location


def _join(current: URL, location: str) -> str:
    if len(location) > MAX_URL_LENGTH:
        raise FeedFetchError(
            f"the feed redirected to an address longer than {MAX_URL_LENGTH} characters"
        )
    try:
        return str(current.join(URL(location)))
    except (ValueError, TypeError):
        # Not chained: yarl's refusal quotes the address, which may carry the feed's token.
        raise FeedFetchError("the feed redirected to an invalid address") from None


def _validators(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """The conditional-GET headers; a validator the server sent that cannot be sent back
    (control characters, not ASCII) is dropped rather than failing every fetch."""
    headers = {"If-None-Match": etag, "If-Modified-Since": last_modified}
    return {
        name: value
        for name, value in headers.items()
        if value and value.isascii() and value.isprintable() and len(value) <= 1024
    }


async def _read(
    resp: aiohttp.ClientResponse, unchanged: Fetched, settings: FetchSettings
) -> Fetched:
    if resp.status == 304:
        return unchanged
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
    seen: BaseException | None = exc
    for _ in range(5):  # aiohttp wraps the resolver's error, sometimes twice
        if seen is None:
            break
        if isinstance(seen, PrivateAddress):
            return PRIVATE_NAME
        seen = getattr(seen, "os_error", None) or seen.__cause__ or seen.__context__
    return f"could not fetch the feed ({type(exc).__name__})"


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
        raise FeedFetchError(f"cannot read the file ({exc.strerror})") from exc
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


class HttpFeedFetcher:
    """Feeds from their URLs through one ``session`` (see ``feed_session``), and from files."""

    def __init__(self, session: aiohttp.ClientSession, settings: FetchSettings) -> None:
        self._session = session
        self._settings = settings

    async def fetch_url(self, url: str, *, etag: str | None, last_modified: str | None) -> Fetched:
        return await fetch_url(
            self._session, url, etag=etag, last_modified=last_modified, settings=self._settings
        )

    async def read_file(self, path: str, *, etag: str | None) -> Fetched:
        return await read_file(path, etag=etag, max_bytes=self._settings.max_bytes)
