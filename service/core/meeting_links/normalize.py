"""Normalization of one meeting join URL: safety checks, host allow-list, platform rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from service.core.errors import InvalidMeetingUrl
from service.core.meeting_links.parts import Rejected, UrlParts
from service.core.meeting_links.platforms import normalize_meet, normalize_webex, normalize_zoom
from service.core.meeting_links.redirects import MAX_UNWRAPS, redirect_target
from service.core.meeting_links.teams import normalize_teams
from service.core.model import Platform

MAX_URL_LENGTH: Final = 8192
# Never valid inside a URL; browsers read a backslash as "/", which would move the host.
_FORBIDDEN: Final = re.compile(r"[\s\x00-\x1f\x7f<>\\]")
_LABEL: Final = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST: Final = re.compile(rf"(?:{_LABEL}\.)+[a-z](?:[a-z0-9-]*[a-z0-9])?", re.ASCII)
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True, kw_only=True)
class NormalizedLink:
    """A supported join link in the one form used for booking and de-duplication."""

    platform: Platform
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class _Domain:
    platform: Platform
    itself: bool
    subdomains: bool


def _exact(platform: Platform) -> _Domain:
    return _Domain(platform=platform, itself=True, subdomains=False)


def _with_subdomains(platform: Platform) -> _Domain:
    return _Domain(platform=platform, itself=True, subdomains=True)


# Matched label by label, so only exact hosts and dot-boundary subdomains ever match.
_DOMAINS: Final[Mapping[str, _Domain]] = {
    "zoom.us": _with_subdomains(Platform.ZOOM),
    "zoom.com": _with_subdomains(Platform.ZOOM),
    "zoomgov.com": _with_subdomains(Platform.ZOOM),
    "zoom-x.de": _with_subdomains(Platform.ZOOM),
    "zoom.com.cn": _with_subdomains(Platform.ZOOM),
    "meet.google.com": _exact(Platform.GOOGLE_MEET),
    "teams.microsoft.com": _exact(Platform.MICROSOFT_TEAMS),
    "teams.live.com": _exact(Platform.MICROSOFT_TEAMS),
    "teams.microsoft.us": _exact(Platform.MICROSOFT_TEAMS),
    "gov.teams.microsoft.us": _exact(Platform.MICROSOFT_TEAMS),
    "dod.teams.microsoft.us": _exact(Platform.MICROSOFT_TEAMS),
    # Only a site subdomain joins meetings; bare webex.com is the marketing site.
    "webex.com": _Domain(platform=Platform.WEBEX, itself=False, subdomains=True),
}
# Hosts on (or next to) a platform's domain that serve pages, never meetings.
_NOT_JOIN_HOSTS: Final = frozenset(
    {
        "events.zoom.us",
        "stream.meet.google.com",
        "tel.meet",
        "dialin.teams.microsoft.com",
        "help.webex.com",
    }
)
_RULES: Final[Mapping[Platform, Callable[[UrlParts], str]]] = {
    Platform.ZOOM: normalize_zoom,
    Platform.GOOGLE_MEET: normalize_meet,
    Platform.MICROSOFT_TEAMS: normalize_teams,
    Platform.WEBEX: normalize_webex,
}


def _check_text(text: str) -> str:
    if len(text) > MAX_URL_LENGTH:
        raise Rejected("too_long")
    if not text or _FORBIDDEN.search(text):
        raise Rejected("malformed")
    return text


def _split(text: str) -> UrlParts:
    try:
        split = urlsplit(_check_text(text))
    except ValueError:
        raise Rejected("malformed") from None
    if split.scheme not in _DEFAULT_PORTS:
        raise Rejected("not_http")
    if "@" in split.netloc:
        raise Rejected("userinfo")
    if not split.netloc.isascii():
        raise Rejected("non_ascii_host")
    host, _, port = split.netloc.lower().partition(":")
    if not _HOST.fullmatch(host):
        raise Rejected("bad_host")
    if port and (not port.isdigit() or int(port) != _DEFAULT_PORTS[split.scheme]):
        raise Rejected("port")
    return UrlParts(host=host, path=split.path, query=split.query, fragment=split.fragment)


def _unwrapped(raw: str) -> UrlParts:
    parts = _split(raw.strip())
    for _ in range(MAX_UNWRAPS):
        target = redirect_target(parts)
        if target is None:
            break
        parts = _split(target)
    return parts


def _platform_of(host: str) -> Platform:
    # Longest suffix first, so a page host is refused before its domain could match.
    suffix, subdomain = host, False
    while suffix:
        if suffix in _NOT_JOIN_HOSTS:
            raise Rejected("not_a_join_host")
        domain = _DOMAINS.get(suffix)
        if domain is not None and (domain.subdomains if subdomain else domain.itself):
            return domain.platform
        suffix, subdomain = suffix.partition(".")[2], True
    raise Rejected("unknown_host")


def _normalize(raw: str) -> NormalizedLink:
    parts = _unwrapped(raw)
    platform = _platform_of(parts.host)
    return NormalizedLink(platform=platform, url=_RULES[platform](parts))


def accepted_link(raw: str) -> NormalizedLink | None:
    """`normalize_meeting_url` for scanning many candidates: None instead of an exception."""
    try:
        return _normalize(raw)
    except Rejected:
        return None


def normalize_meeting_url(raw: str) -> NormalizedLink:
    """Return the platform and normalized form of a join URL.

    Safe Links and ``google.com/url?q=`` wrappers are unwrapped first. The result is
    always ``https``, has a lower-case host, no fragment and only the query parameters
    the platform needs to join, so normalizing it again returns it unchanged.

    :raises InvalidMeetingUrl: the URL is not a supported join link; ``reason`` says why.
    """
    try:
        return _normalize(raw)
    except Rejected as rejected:
        raise InvalidMeetingUrl(raw, rejected.reason) from None
