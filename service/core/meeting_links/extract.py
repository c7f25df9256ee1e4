"""Choosing the join link of a calendar event from its iCalendar properties."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import unescape
from itertools import groupby
from typing import Final

from service.core.meeting_links.normalize import NormalizedLink, accepted_link
from service.core.model import Platform


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkField:
    """One iCalendar property of an event: its name and its decoded text.

    ``feature`` is the RFC 7986 ``FEATURE`` parameter as written (``"AUDIO,VIDEO"``); it is
    read only for ``CONFERENCE``, where entries that list ``VIDEO`` are tried first.
    """

    name: str
    value: str
    feature: str = ""


# Lower number first. Properties that are never join links (ONLINEMEETINGCONFLINK,
# SCHEDULINGSERVICEUPDATEURL, SKYPETEAMSPROPERTIES, LOCATIONS) are absent, so ignored.
_PRIORITY: Final[Mapping[str, int]] = {
    "X-GOOGLE-CONFERENCE": 1,
    "X-MICROSOFT-SKYPETEAMSMEETINGURL": 1,
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK": 2,
    "CONFERENCE": 2,
    "URL": 3,
    "LOCATION": 3,
    "DESCRIPTION": 4,
    "X-ALT-DESC": 5,
}
_HTTPS_ONLY: Final = frozenset({"X-MICROSOFT-ONLINEMEETINGEXTERNALLINK"})
_ALWAYS_HTML: Final = frozenset({"X-ALT-DESC"})
_MAYBE_HTML: Final = frozenset({"DESCRIPTION"})

_URL_RUN: Final = re.compile(r"""https?://[^\s<>"']+""", re.IGNORECASE)
_TRAILING: Final = ".,;:!?)]}>'\""
# A bare URL run, or a quoted href whose value is read whole (it may hold &quot;).
_HTML_LINK: Final = re.compile(
    r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')|(https?://[^\s<>"']+)""", re.IGNORECASE
)
# Real tags only: Outlook's plain text writes "<https://...>", which must stay plain.
_HTML_TAG: Final = re.compile(
    r"</?(?:a|b|i|u|p|br|hr|div|span|font|html|body|head|meta|title|style|table|tr|td|th"
    r"|ul|ol|li|em|strong|img|pre|center|h[1-6])\b[^<>]*>",
    re.IGNORECASE,
)


def _text_tokens(text: str) -> Iterator[str]:
    for match in _URL_RUN.finditer(text):
        token = match.group(0).rstrip(_TRAILING)
        if token:
            yield token


def _html_tokens(html: str) -> Iterator[str]:
    for match in _HTML_LINK.finditer(html):
        run = match.group(3)
        if run is not None:
            yield from _text_tokens(unescape(run))
            continue
        href = unescape(match.group(1) or match.group(2) or "").strip()
        if _URL_RUN.match(href):
            yield href


def _is_html(field: LinkField, name: str) -> bool:
    if name in _ALWAYS_HTML:
        return True
    return name in _MAYBE_HTML and _HTML_TAG.search(field.value) is not None


def _tokens(field: LinkField, name: str) -> Iterator[str]:
    tokens = _html_tokens(field.value) if _is_html(field, name) else _text_tokens(field.value)
    if name not in _HTTPS_ONLY:
        return tokens
    return (token for token in tokens if token[:8].lower() == "https://")


def _accepted(field: LinkField) -> Iterator[NormalizedLink]:
    for token in _tokens(field, field.name.upper()):
        link = accepted_link(token)
        if link is not None:
            yield link


def _meeting_key(link: NormalizedLink) -> str:
    """What identifies the meeting: the URL without passcodes and tokens."""
    base = link.url.partition("?")[0]
    if base.endswith("/j.php"):
        return link.url  # the Webex meeting is the MTID itself
    if link.platform is Platform.ZOOM:
        return base.split("/", 3)[3]  # regional and vanity hosts serve the same meeting id
    return base


def _first_with_longest_twin(links: Iterable[NormalizedLink]) -> NormalizedLink | None:
    remaining = iter(links)
    best = next(remaining, None)
    if best is None:
        return None
    key = _meeting_key(best)
    for link in remaining:
        if len(link.url) > len(best.url) and _meeting_key(link) == key:
            best = link
    return best


def _rank(field: LinkField) -> tuple[int, int]:
    name = field.name.upper()
    features = {feature.strip() for feature in field.feature.upper().split(",")}
    lacks_video = name == "CONFERENCE" and "VIDEO" not in features
    return _PRIORITY[name], int(lacks_video)


def extract_join_url(fields: Sequence[LinkField]) -> NormalizedLink | None:
    """The join link of an event, or None when no field holds a supported one.

    Fields are read by priority (``_PRIORITY``; ``CONFERENCE`` with ``FEATURE`` VIDEO before
    other ``CONFERENCE`` entries, otherwise in the given order). The first level holding an
    accepted link decides: its first link wins, unless the same meeting appears again in
    that level with a longer URL (for example one carrying the passcode).
    """
    known = sorted((field for field in fields if field.name.upper() in _PRIORITY), key=_rank)
    for _, level in groupby(known, key=lambda field: _PRIORITY[field.name.upper()]):
        links = (link for field in level for link in _accepted(field))
        best = _first_with_longest_twin(links)
        if best is not None:
            return best
    return None
