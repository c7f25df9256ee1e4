"""Join-path rules for Microsoft Teams, including the launcher and light-meetings wrappers."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Final
from urllib.parse import quote, unquote

from service.core.meeting_links.parts import Rejected, UrlParts, join_url, query_value, safe_value

DirectRule = Callable[[str, str, str], str]

# Printable ASCII except "/", so a segment is copied byte for byte, escapes and all.
_MEETUP_JOIN: Final = re.compile(r"/l/meetup-join/[\x21-\x2e\x30-\x7e]+/[\x21-\x2e\x30-\x7e]+")
_SHORT: Final = re.compile(r"/meet/[0-9]{10,16}", re.ASCII)
_LAUNCHER: Final = re.compile(r"/dl/launcher/launcher\.html")
_FRAGMENT_APP: Final = re.compile(r"/v2/?|/_")
_LIGHT_MEETINGS: Final = re.compile(r"/light-meetings/launch")
_CONTEXT_TENANT: Final = re.compile(r'"Tid"\s*:\s*"[^"]+"')
_COORD_ID: Final = re.compile(r"[A-Za-z0-9:@._-]{1,256}", re.ASCII)
_UPPER_ESCAPE: Final = re.compile(r"%[0-9A-F]{2}")
_MAX_COORDS: Final = 4096


def _meetup_join(host: str, path: str, query: str) -> str:
    context = query_value(query, "context")
    if not context:
        raise Rejected("missing_context")
    if not context.isascii() or not _CONTEXT_TENANT.search(unquote(unquote(context))):
        raise Rejected("bad_context")
    return join_url(host, path, [("context", context)])


def _short(host: str, path: str, query: str) -> str:
    passcode = safe_value(query, "p")
    if passcode is None:
        raise Rejected("missing_passcode")
    return join_url(host, path, [("p", passcode)])


_DIRECT_RULES: Final[tuple[tuple[re.Pattern[str], DirectRule], ...]] = (
    (_MEETUP_JOIN, _meetup_join),
    (_SHORT, _short),
)


def _direct(host: str, path: str, query: str) -> str:
    for pattern, rule in _DIRECT_RULES:
        if pattern.fullmatch(path):
            return rule(host, path, query)
    raise Rejected("not_a_join_path")


def _embedded(host: str, target: str) -> str:
    """Rebuild from an app route such as ``/_#/l/meetup-join/...?context=...&anon=true``."""
    route = target.removeprefix("/_").removeprefix("#").partition("#")[0]
    path, _, query = route.partition("?")
    return _direct(host, path, query)


def _from_launcher(parts: UrlParts) -> str:
    target = query_value(parts.query, "url")
    if target is None:
        raise Rejected("undecodable_wrapper")
    # An unencoded "#" ends the query, so the route then sits in the fragment.
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return _embedded(parts.host, unquote(target) + fragment)


def _from_fragment(parts: UrlParts) -> str:
    if not parts.fragment:
        raise Rejected("not_a_join_path")
    return _embedded(parts.host, parts.fragment)


def _decode_coords(coords: str) -> dict[str, object]:
    text = unquote(coords).strip().replace("-", "+").replace("_", "/")
    if len(text) > _MAX_COORDS:
        raise Rejected("undecodable_wrapper")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        data = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, RecursionError):
        raise Rejected("undecodable_wrapper") from None
    if not isinstance(data, dict):
        raise Rejected("undecodable_wrapper")
    return data


def _coord(data: dict[str, object], key: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str) or not _COORD_ID.fullmatch(value):
        raise Rejected("undecodable_wrapper")
    return value


def _teams_escape(text: str) -> str:
    # Teams writes its own links with lower-case escapes (19%3ameeting_...%40thread.v2).
    return _UPPER_ESCAPE.sub(lambda match: match.group(0).lower(), quote(text, safe=""))


def _from_light_meetings(parts: UrlParts) -> str:
    data = _decode_coords(query_value(parts.query, "coords") or "")
    thread = _teams_escape(_coord(data, "conversationId"))
    message = _teams_escape(_coord(data, "messageId", "0"))
    context = {"Tid": _coord(data, "tenantId")}
    if "organizerId" in data:
        context["Oid"] = _coord(data, "organizerId")
    encoded = _teams_escape(json.dumps(context, separators=(",", ":")))
    return join_url(parts.host, f"/l/meetup-join/{thread}/{message}", [("context", encoded)])


_RULES: Final[tuple[tuple[re.Pattern[str], Callable[[UrlParts], str]], ...]] = (
    (_LAUNCHER, _from_launcher),
    (_FRAGMENT_APP, _from_fragment),
    (_LIGHT_MEETINGS, _from_light_meetings),
)


def normalize_teams(parts: UrlParts) -> str:
    """A meetup-join or short ``/meet/`` link, or one of the wrappers rebuilt into them."""
    for pattern, rule in _RULES:
        if pattern.fullmatch(parts.path):
            return rule(parts)
    return _direct(parts.host, parts.path, parts.query)
