"""Unwrapping of the link redirectors mail systems put in front of join links."""

from __future__ import annotations

from typing import Final
from urllib.parse import unquote

from service.core.meeting_links.parts import UrlParts, query_value

# Safe Links can be nested; a few rounds cover real mail, and the bound stops loops.
MAX_UNWRAPS: Final = 5
_SAFELINKS_DOMAIN: Final = ".safelinks.protection.outlook.com"
_GOOGLE_REDIRECT_HOSTS: Final = frozenset({"google.com", "www.google.com"})


def _target_parameter(host: str, path: str) -> str | None:
    if host.endswith(_SAFELINKS_DOMAIN):
        return "url"
    if host in _GOOGLE_REDIRECT_HOSTS and path == "/url":
        return "q"
    return None


def redirect_target(parts: UrlParts) -> str | None:
    """The percent-decoded target of an Outlook Safe Links or ``google.com/url?q=`` link."""
    name = _target_parameter(parts.host, parts.path)
    value = None if name is None else query_value(parts.query, name)
    return None if value is None else unquote(value).strip()
