"""Which addresses a feed URL may reach (pure): a feed URL is user input, so no SSRF.

A host is either a DNS name, a canonical dotted-quad IPv4 address or a bracketed IPv6
address in its canonical text. Every other numeric spelling (``2130706433``, ``0177.0.0.1``,
``127.1``, ``0x7f.1``, ``127.0.0.1.``, ``[::ffff:127.0.0.1]``, zone ids) is refused here,
whatever the HTTP library would make of it.
"""

from __future__ import annotations

import ipaddress
import string
from typing import Final
from urllib.parse import SplitResult, urlsplit

from service.core.errors import ServiceError
from service.core.redaction import mask_url

MAX_URL_LENGTH: Final = 2048
NON_CANONICAL: Final = "the feed URL has a non-canonical numeric host"
PRIVATE: Final = "the feed URL points at a private or local address"
_NAME_CHARS: Final = frozenset(string.ascii_lowercase + string.digits + "-_.")
_HEX: Final = frozenset(string.hexdigits)
_COMPATIBLE: Final = ipaddress.IPv6Network("::/96")
_TRANSLATED: Final = ipaddress.IPv6Network("::ffff:0:0:0/96")
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")
_NAT64_LOCAL: Final = ipaddress.IPv6Network("64:ff9b:1::/48")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class FeedUrlRefused(ServiceError, ValueError):
    """A feed URL that autojoin will not fetch; the message never repeats the URL."""


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL's host (lower case, IPv6 without brackets), if its scheme and host may be
    fetched; else FeedUrlRefused with a one-line reason."""
    parts = _split(url)
    allowed_schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in allowed_schemes:
        raise FeedUrlRefused(f"feed URLs must use {' or '.join(allowed_schemes)}")
    if "@" in parts.netloc:
        raise FeedUrlRefused("feed URLs must not carry a user name or password")
    host = _host(parts)
    if not allow_private and not _may_reach(host):
        raise FeedUrlRefused(PRIVATE)
    return host


def is_public(address: Address) -> bool:
    """Globally routable unicast only: no loopback, private, link-local, shared or reserved,
    and no IPv6 address that stands for a non-public IPv4 one (mapped, 6to4, NAT64)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if _in_ipv4_disguise(address):
            return False
        embedded = address.sixtofour or _nat64(address)
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not address.is_multicast


def mask(location: str) -> str:
    """A feed URL as it may be shown: scheme and host, plus a fingerprint of the whole URL."""
    return mask_url(location)


def _split(url: str) -> SplitResult:
    if len(url) > MAX_URL_LENGTH:
        raise FeedUrlRefused(f"the feed URL is longer than {MAX_URL_LENGTH} characters")
    if not url.isprintable() or any(ch.isspace() or ch == "\\" for ch in url):
        raise FeedUrlRefused("the feed URL contains spaces, control characters or backslashes")
    try:
        return urlsplit(url)
    except ValueError:
        raise FeedUrlRefused("the feed URL is not a valid URL") from None


def _host(parts: SplitResult) -> str:
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise FeedUrlRefused("the feed URL has an invalid port")
    host = parts.hostname
    if not host:
        raise FeedUrlRefused("the feed URL has no host")
    if parts.netloc.startswith("["):
        return _ipv6_literal(host)
    return _name_or_ipv4(host)


def _ipv6_literal(host: str) -> str:
    if "%" in host:
        raise FeedUrlRefused(NON_CANONICAL)
    try:
        address = ipaddress.IPv6Address(host)
    except ValueError:
        raise FeedUrlRefused("the feed URL's host is not a valid IPv6 address") from None
    if str(address) != host or address.ipv4_mapped is not None or _in_ipv4_disguise(address):
        raise FeedUrlRefused(NON_CANONICAL)
    return host


def _name_or_ipv4(host: str) -> str:
    if not host.isascii():
        raise FeedUrlRefused(
            "the feed URL's host must be plain ASCII (write an international name in its xn-- form)"
        )
    name = host.removesuffix(".")
    if _is_number(name.rsplit(".", 1)[-1]):
        # Such a host is an IPv4 address to URL parsers (WHATWG), in whatever spelling.
        if name != host or not _is_canonical_ipv4(name):
            raise FeedUrlRefused(NON_CANONICAL)
        return host
    labels = name.split(".")
    if set(name) - _NAME_CHARS or len(name) > 253 or not all(0 < len(x) < 64 for x in labels):
        raise FeedUrlRefused("the feed URL's host is not a valid host name")
    return host


def _is_number(label: str) -> bool:
    if label[:2] in ("0x", "0X"):
        return set(label[2:]) <= _HEX
    return label.isdigit()


def _is_canonical_ipv4(text: str) -> bool:
    try:
        return str(ipaddress.IPv4Address(text)) == text
    except ValueError:
        return False


def _in_ipv4_disguise(address: ipaddress.IPv6Address) -> bool:
    """IPv4-compatible (``::a.b.c.d``) or IPv4-translated (``::ffff:0:a.b.c.d``) forms."""
    compatible = address in _COMPATIBLE and int(address) > 1
    return compatible or address in _TRANSLATED


def _nat64(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address in _NAT64_LOCAL:
        return ipaddress.IPv4Address("0.0.0.0")  # a local-use prefix: never public
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _may_reach(host: str) -> bool:
    try:
        return is_public(ipaddress.ip_address(host))
    except ValueError:
        name = host.removesuffix(".")
        return name != "localhost" and not name.endswith(".localhost")
