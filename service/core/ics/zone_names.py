"""Guessing IANA zones for TZIDs that no standard names: OWA display names and Microsoft ids."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

# TZIDs Microsoft clients write for UTC without defining a VTIMEZONE (compared lower-case).
MICROSOFT_UTC_IDS: Final = frozenset({"tzone://microsoft/utc"})

# Windows display names as Outlook Web Access writes them into TZIDs, without the
# "(UTC+01:00) " prefix. Older Outlook versions wrote "(GMT+01:00) ..." or the bare text.
# Maintained by hand: add a line when a feed shows a new one (the TZID is then listed in
# Feed.unresolved_tzids and its times are marked uncertain until it is here).
DISPLAY_NAME_ZONES: Final[Mapping[str, str]] = {
    "Hawaii": "Pacific/Honolulu",
    "Alaska": "America/Anchorage",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Pacific Time (US & Canada); Tijuana": "America/Los_Angeles",
    "Arizona": "America/Phoenix",
    "Mountain Time (US & Canada)": "America/Denver",
    "Central Time (US & Canada)": "America/Chicago",
    "Saskatchewan": "America/Regina",
    "Guadalajara, Mexico City, Monterrey": "America/Mexico_City",
    "Eastern Time (US & Canada)": "America/New_York",
    "Indiana (East)": "America/Indiana/Indianapolis",
    "Bogota, Lima, Quito, Rio Branco": "America/Bogota",
    "Bogota, Lima, Quito": "America/Bogota",
    "Atlantic Time (Canada)": "America/Halifax",
    "Newfoundland": "America/St_Johns",
    "Brasilia": "America/Sao_Paulo",
    "City of Buenos Aires": "America/Argentina/Buenos_Aires",
    "Coordinated Universal Time": "UTC",
    "Dublin, Edinburgh, Lisbon, London": "Europe/London",
    "Greenwich Mean Time : Dublin, Edinburgh, Lisbon, London": "Europe/London",
    "Monrovia, Reykjavik": "Atlantic/Reykjavik",
    "Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna": "Europe/Berlin",
    "Belgrade, Bratislava, Budapest, Ljubljana, Prague": "Europe/Budapest",
    "Brussels, Copenhagen, Madrid, Paris": "Europe/Paris",
    "Sarajevo, Skopje, Warsaw, Zagreb": "Europe/Warsaw",
    "West Central Africa": "Africa/Lagos",
    "Athens, Bucharest": "Europe/Bucharest",
    "Athens, Bucharest, Istanbul": "Europe/Bucharest",
    "Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius": "Europe/Helsinki",
    "Helsinki, Kiev, Riga, Sofia, Tallinn, Vilnius": "Europe/Helsinki",
    "Jerusalem": "Asia/Jerusalem",
    "Cairo": "Africa/Cairo",
    "Harare, Pretoria": "Africa/Johannesburg",
    "Istanbul": "Europe/Istanbul",
    "Moscow, St. Petersburg": "Europe/Moscow",
    "Moscow, St. Petersburg, Volgograd": "Europe/Moscow",
    "Abu Dhabi, Muscat": "Asia/Dubai",
    "Chennai, Kolkata, Mumbai, New Delhi": "Asia/Kolkata",
    "Bangkok, Hanoi, Jakarta": "Asia/Bangkok",
    "Beijing, Chongqing, Hong Kong, Urumqi": "Asia/Shanghai",
    "Kuala Lumpur, Singapore": "Asia/Singapore",
    "Taipei": "Asia/Taipei",
    "Perth": "Australia/Perth",
    "Osaka, Sapporo, Tokyo": "Asia/Tokyo",
    "Seoul": "Asia/Seoul",
    "Adelaide": "Australia/Adelaide",
    "Darwin": "Australia/Darwin",
    "Brisbane": "Australia/Brisbane",
    "Canberra, Melbourne, Sydney": "Australia/Sydney",
    "Hobart": "Australia/Hobart",
    "Auckland, Wellington": "Pacific/Auckland",
}

_OFFSET_PREFIX: Final = re.compile(r"\(\s*(?:UTC|GMT)\s*(?:[+-]\s*\d{1,2}(?::?\d{2})?)?\s*\)\s*")
_NOT_WORD: Final = re.compile(r"[^a-z0-9]+")
_MAX_TZID: Final = 256


def _folded(text: str) -> str:
    """Case, punctuation and "&" versus "and" differ between Outlook versions."""
    return _NOT_WORD.sub(" ", text.lower().replace("&", " and ")).strip()


_FOLDED_ZONES: Final[Mapping[str, str]] = {
    _folded(name): zone for name, zone in DISPLAY_NAME_ZONES.items()
}


def display_name_zone(tzid: str) -> str | None:
    """The IANA name for an OWA display-name TZID such as ``(UTC-05:00) Eastern Time ...``."""
    if len(tzid) > _MAX_TZID:
        return None
    text = tzid.strip().strip('"')
    prefix = _OFFSET_PREFIX.match(text)
    if prefix is not None:
        text = text[prefix.end() :]
    return _FOLDED_ZONES.get(_folded(text))


def without_copy_number(tzid: str) -> str | None:
    """``Eastern Standard Time 1`` -> ``Eastern Standard Time``; None without such a suffix."""
    head, space, number = tzid.strip().rpartition(" ")
    if not space or not head.strip() or not (number.isascii() and number.isdigit()):
        return None
    return head.rstrip()


def is_microsoft_utc(tzid: str) -> bool:
    return tzid.strip().lower() in MICROSOFT_UTC_IDS
