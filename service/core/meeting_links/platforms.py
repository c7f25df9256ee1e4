"""Join-path rules for Zoom, Google Meet and Webex: which paths join a call, and their form."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from service.core.meeting_links.parts import Rejected, UrlParts, join_url, query_value, safe_value

Rule = Callable[[UrlParts], str]

_ZOOM_PATH: Final = re.compile(
    r"/(?:j/[0-9]{9,11}|w/[0-9]{9,11}|wc/join/[0-9]{9,11}|my/[A-Za-z0-9][A-Za-z0-9._-]{0,63})",
    re.ASCII,
)
_ZOOM_KEPT: Final = ("pwd", "tk")

_MEET_CODE: Final = re.compile(r"/[a-z]{3}-[a-z]{4}-[a-z]{3}", re.ASCII | re.IGNORECASE)
_MEET_LOOKUP: Final = re.compile(r"/lookup/[A-Za-z0-9_-]{1,64}", re.ASCII)

_WEBEX_ROOM: Final = re.compile(r"/(?:meet|join)/[A-Za-z0-9._-]{1,64}", re.ASCII)
_WEBEX_SCHEDULED: Final = re.compile(r"/[A-Za-z0-9._-]{1,64}/j\.php", re.ASCII)
_WEBEX_API_JOIN: Final = re.compile(
    r"/wbxmjs/joinservice/sites/[A-Za-z0-9._-]{1,64}/meeting/download/[A-Za-z0-9._~%-]{1,256}",
    re.ASCII,
)
_WEBEX_MTID: Final = re.compile(r"m[0-9a-f]{8,64}", re.ASCII | re.IGNORECASE)


def normalize_zoom(parts: UrlParts) -> str:
    """``/j/``, ``/w/``, ``/wc/join/`` or ``/my/`` on the same host, keeping only pwd and tk."""
    if not _ZOOM_PATH.fullmatch(parts.path):
        raise Rejected("not_a_join_path")
    kept = [(name, value) for name in _ZOOM_KEPT if (value := safe_value(parts.query, name))]
    return join_url(parts.host, parts.path, kept)


def normalize_meet(parts: UrlParts) -> str:
    """A 3-4-3 meeting code (folded to lower case) or an education nickname; no query."""
    if _MEET_CODE.fullmatch(parts.path):
        return join_url(parts.host, parts.path.lower())
    if _MEET_LOOKUP.fullmatch(parts.path):
        return join_url(parts.host, parts.path)
    raise Rejected("not_a_join_path")


def _webex_room(parts: UrlParts) -> str:
    return join_url(parts.host, parts.path)


def _webex_scheduled(parts: UrlParts) -> str:
    mtid = query_value(parts.query, "MTID")
    if mtid is None or not _WEBEX_MTID.fullmatch(mtid):
        raise Rejected("missing_meeting_id")
    return join_url(parts.host, parts.path, [("MTID", mtid)])


def _webex_api_join(parts: UrlParts) -> str:
    # The query carries the join tokens, so the link is kept whole (minus the fragment).
    if not parts.query.isascii():
        raise Rejected("bad_query_value")
    suffix = f"?{parts.query}" if parts.query else ""
    return f"https://{parts.host}{parts.path}{suffix}"


_WEBEX_RULES: Final[tuple[tuple[re.Pattern[str], Rule], ...]] = (
    (_WEBEX_ROOM, _webex_room),
    (_WEBEX_SCHEDULED, _webex_scheduled),
    (_WEBEX_API_JOIN, _webex_api_join),
)


def normalize_webex(parts: UrlParts) -> str:
    """A personal room, a scheduled ``j.php?MTID=`` link, or an API join link kept as-is."""
    for pattern, rule in _WEBEX_RULES:
        if pattern.fullmatch(parts.path):
            return rule(parts)
    raise Rejected("not_a_join_path")
