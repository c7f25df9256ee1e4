"""The pieces of a join URL that the platform rules read, and the private rejection signal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_SAFE_VALUE: Final = re.compile(r"[A-Za-z0-9._~%+-]+", re.ASCII)


@dataclass(frozen=True, slots=True, kw_only=True)
class UrlParts:
    """A URL that passed the generic checks: lower-case ASCII host, raw path/query/fragment."""

    host: str
    path: str
    query: str
    fragment: str


class Rejected(Exception):
    """Raised inside the package when a URL breaks a rule; ``reason`` is the public code."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def query_value(query: str, name: str) -> str | None:
    """The first raw (still percent-encoded) value of ``name`` in ``query``, or None."""
    for pair in query.split("&"):
        key, sep, value = pair.partition("=")
        if sep and key == name:
            return value
    return None


def safe_value(query: str, name: str) -> str | None:
    """Like `query_value`, but empty means absent and odd characters are rejected.

    Passcodes and tokens are copied into the normalized URL unchanged, so they must be
    plain URL-safe text (letters, digits, ``._~+-`` and percent escapes).
    """
    value = query_value(query, name)
    if not value:
        return None
    if not _SAFE_VALUE.fullmatch(value):
        raise Rejected("bad_query_value")
    return value


def join_url(host: str, path: str, params: list[tuple[str, str]] | None = None) -> str:
    """``https://host/path`` plus the given raw query parameters, in order."""
    query = "&".join(f"{name}={value}" for name, value in params or ())
    return f"https://{host}{path}?{query}" if query else f"https://{host}{path}"
