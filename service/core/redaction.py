"""How secret-bearing text may be shown (pure): URLs cut to scheme and host, passcodes hidden.

Feed URLs carry their token in the path or the query, meeting links carry passcodes
(``pwd=``, ``p=``, ``tk=``) in the query, and remote error messages may echo either.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from urllib.parse import SplitResult, urlsplit, urlunsplit

HIDDEN = "…"
REDACTED = "<redacted>"
_URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]*")
_SECRET_PAIR = re.compile(
    r"\b(pwd|passcode|password|pass|token|tk|key|secret|sig|signature)=[^&\s\"'<>]+",
    re.IGNORECASE,
)
_SHOWN_HOST = re.compile(r"[a-z0-9._-]+|\[[0-9a-f:.]+\]")


def fingerprint(text: str) -> str:
    """Eight hex digits of the text's SHA-256: tells two secrets apart without showing one."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def mask_url(url: str) -> str:
    """Scheme and host only, plus a fingerprint of the whole URL (path and query are secret):
    ``https://p123-caldav.icloud.com/… (#1a2b3c4d)``."""
    scheme, host = _scheme_and_host(url)
    if not (scheme and host):
        return f"(URL #{fingerprint(url)})"
    return f"{scheme}://{host}/{HIDDEN} (#{fingerprint(url)})"


def redact_meeting_url(url: str) -> str:
    """A meeting link with every query value hidden (the passcodes), no user info and no
    fragment; anything that is not a plain http(s) link is masked like a feed URL."""
    parts = _split(url)
    if parts is None or parts.scheme not in ("http", "https"):
        return mask_url(url)
    _, host = _scheme_and_host(url)
    if not host or "@" in parts.netloc:
        return mask_url(url)
    query = "&".join(_hide_value(pair) for pair in parts.query.split("&") if pair)
    return urlunsplit((parts.scheme, _with_port(host, parts), parts.path, query, ""))


def redact_text(
    text: str, *, hide: Iterable[str] = (), links: Callable[[str], str] = mask_url
) -> str:
    """Free text (a remote error message, an event detail, a source key) with the given
    secrets removed, every URL passed through ``links`` (masked, by default) and every
    ``pwd=``-like value hidden."""
    for secret in hide:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _URL.sub(lambda match: links(match.group(0)), text)
    return _SECRET_PAIR.sub(lambda match: f"{match.group(1)}={HIDDEN}", text)


def _split(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a bad port raises only when read)
    except ValueError:
        return None
    return parts


def _scheme_and_host(url: str) -> tuple[str, str]:
    parts = _split(url)
    if parts is None or not parts.hostname:
        return "", ""
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if not _SHOWN_HOST.fullmatch(host) or not re.fullmatch(r"[a-z][a-z0-9+.-]*", parts.scheme):
        return "", ""
    return parts.scheme, host


def _with_port(host: str, parts: SplitResult) -> str:
    return f"{host}:{parts.port}" if parts.port is not None else host


def _hide_value(pair: str) -> str:
    name, equals, value = pair.partition("=")
    if not equals:
        return HIDDEN
    return f"{name}={HIDDEN}" if value else pair
