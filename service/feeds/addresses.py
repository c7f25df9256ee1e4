"""Which addresses a feed URL may reach (pure): a feed URL is user input, so no SSRF."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from service.errors import ServiceError


class FeedUrlRefused(ServiceError, ValueError):
    """A feed URL that autojoin will not fetch; the message never repeats the URL."""


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL's host, if its scheme and host may be fetched; else FeedUrlRefused."""
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes:
        raise FeedUrlRefused(f"feed URLs must use {' or '.join(allowed_schemes)}")
    if parts.username or parts.password:
        raise FeedUrlRefused("feed URLs must not carry a user name or password")
    host = parts.hostname
    if not host:
        raise FeedUrlRefused("the feed URL has no host")
    if not allow_private:
        literal = _literal(host)
        if literal is not None and not is_public(literal):
            raise FeedUrlRefused("the feed URL points at a private or local address")
        if host == "localhost" or host.endswith(".localhost"):
            raise FeedUrlRefused("the feed URL points at a private or local address")
    return host


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Globally routable unicast only: no loopback, private, link-local, shared or reserved."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def mask(location: str) -> str:
    """A feed URL as it may be shown: scheme, host and the file name; the secret is gone."""
    parts = urlsplit(location)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return location
    name = parts.path.rstrip("/").rsplit("/", 1)[-1]
    return (
        f"{parts.scheme}://{parts.hostname}/…/{name}"
        if name
        else f"{parts.scheme}://{parts.hostname}/…"
    )
