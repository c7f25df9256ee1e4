"""Text from outside (calendars, import files, remote APIs): cleaned when it comes in,
escaped when it goes out (pure).

One definition of the characters that must never reach a terminal or a log line raw: the
C0 and C1 controls and DEL (ESC starts terminal escapes; BEL, NUL and CR hide or rewrite
what was printed), the line and paragraph separators, surrogates (a lone one breaks UTF-8
output) and every format character (Cf): the bidi embeddings, overrides and isolates that
reorder text (U+202A-U+202E, U+2066-U+2069), the marks (U+200E/U+200F/U+061C) and the
zero-width and invisible characters that hide text (U+200B-U+200D, U+2060-U+2064, U+FEFF,
soft hyphen, tag characters). A unit test keeps this set equal to those Unicode categories.
"""

from __future__ import annotations

import hashlib
import re
from typing import Final

TITLE_LIMIT: Final = 500
"""Longest meeting title kept (characters); a longer one is cut and ends with an ellipsis."""
EMAIL_LIMIT: Final = 320
"""Longest organizer or attendee address kept; a longer one is not an address."""
KEY_LIMIT: Final = 400
"""Longest event UID kept as it is; a longer one keeps its start and a digest of the whole."""
SOURCE_KEY_LIMIT: Final = 500
"""Longest key of a meeting in its source (the column holds 512; an ICS key is UID|stamp)."""

_CONTROLS: Final = "\x00-\x1f\x7f-\x9f"
_SEPARATORS: Final = "\u2028\u2029"
_SURROGATES: Final = "\ud800-\udfff"
_FORMAT: Final = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
UNSAFE: Final = re.compile(f"[{_CONTROLS}{_SEPARATORS}{_SURROGATES}{_FORMAT}]")
# Characters that separate words: cleaned into a space, not removed, so words stay apart.
_SPACING: Final = re.compile("[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
_ELLIPSIS: Final = "…"
_DIGEST_CHARS: Final = 32


def clean_text(value: str, *, limit: int) -> str:
    """``value`` without unsafe characters (line breaks and tabs become one space), stripped,
    and at most ``limit`` characters (a cut ends with "…"). Idempotent."""
    if UNSAFE.search(value) is not None:
        value = UNSAFE.sub("", _SPACING.sub(" ", value))
    value = value.strip()
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + _ELLIPSIS
    return value


def clean_key(value: str, *, limit: int = KEY_LIMIT) -> str:
    """An identifier (an event UID) without unsafe characters and at most ``limit`` long.

    A longer one keeps its start and ends with a digest of the whole, so two long UIDs
    that share their first ``limit`` characters stay two keys. Idempotent.
    """
    value = UNSAFE.sub("", value).strip()
    if len(value) <= limit:
        return value
    digest = hashlib.sha256(value.encode("utf-8")).hexdigest()[:_DIGEST_CHARS]
    return f"{value[: limit - _DIGEST_CHARS - 1]}~{digest}"


def clean_email(value: str) -> str | None:
    """A lower-case address without unsafe characters; None if empty or over the limit."""
    address = UNSAFE.sub("", value).strip().lower()
    return address if 0 < len(address) <= EMAIL_LIMIT else None


def escape_text(value: str) -> str:
    """``value`` for a terminal or a log line: each unsafe character written as a Python
    escape (``\\x1b``, ``\\u202e``), everything else as it is."""
    if UNSAFE.search(value) is None:
        return value
    return UNSAFE.sub(_escape, value)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
