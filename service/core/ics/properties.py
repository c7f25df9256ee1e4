"""Reading icalendar property values as plain text, numbers, emails, attendees, link fields."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Final

from icalendar import Component

from service.core.ics.occurrences import Attendee
from service.core.meeting_links import LinkField
from service.core.untrusted import clean_email

# The properties that may hold a join link, in the order the notes rank them.
LINK_PROPERTIES: Final = (
    "X-GOOGLE-CONFERENCE",
    "X-MICROSOFT-SKYPETEAMSMEETINGURL",
    "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
    "CONFERENCE",
    "URL",
    "LOCATION",
    "DESCRIPTION",
    "X-ALT-DESC",
)
_MAILTO: Final = "mailto:"
_UTC_STAMP: Final = "%Y%m%dT%H%M%SZ"


def property_values(value: Any) -> list[Any]:
    """A property that may occur once or several times, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def text(component: Component, name: str) -> str:
    """The decoded text of the first ``name`` property, or ""."""
    values = property_values(component.get(name))
    return str(values[0]) if values else ""


def when(component: Component, name: str) -> date | None:
    """The DATE or DATE-TIME of a property such as DTSTART; None if absent or another type."""
    value = getattr(component.get(name), "dt", None)
    return value if isinstance(value, date) else None


def range_parameter(component: Component) -> str:
    """The RANGE parameter of RECURRENCE-ID (``THISANDFUTURE``), upper-case, or ""."""
    return _param(component.get("RECURRENCE-ID"), "RANGE").upper()


def keyword(component: Component, name: str) -> str:
    """An enumerated value such as STATUS, upper-case and stripped."""
    return text(component, name).strip().upper()


def integer(component: Component, name: str) -> int:
    """An INTEGER property such as SEQUENCE; 0 when absent or unreadable."""
    values = property_values(component.get(name))
    try:
        return int(values[0]) if values else 0
    except (TypeError, ValueError):
        return 0


def _param(value: Any, name: str) -> str:
    params = getattr(value, "params", None)
    found = None if params is None else params.get(name)
    if isinstance(found, list):
        return ",".join(str(item) for item in found)
    return "" if found is None else str(found)


def email(value: Any) -> str | None:
    """The lower-case address of a CAL-ADDRESS (``mailto:`` removed, unsafe characters
    dropped); None if not an email or longer than an address can be."""
    address = str(value).strip()
    if address[: len(_MAILTO)].lower() == _MAILTO:
        address = address[len(_MAILTO) :]
    cleaned = clean_email(address)
    return cleaned if cleaned is not None and "@" in cleaned else None


def organizer(component: Component) -> str | None:
    values = property_values(component.get("ORGANIZER"))
    return email(values[0]) if values else None


def attendees(component: Component) -> tuple[Attendee, ...]:
    """Every ATTENDEE with an email address, in feed order."""
    found: list[Attendee] = []
    for value in property_values(component.get("ATTENDEE")):
        address = email(value)
        if address is not None:
            partstat = _param(value, "PARTSTAT").upper() or "NEEDS-ACTION"
            role = _param(value, "ROLE").upper() or "REQ-PARTICIPANT"
            found.append(Attendee(email=address, partstat=partstat, role=role))
    return tuple(found)


def link_fields(component: Component) -> tuple[LinkField, ...]:
    """The decoded values of the link-bearing properties, for `extract_join_url`."""
    return tuple(
        LinkField(name=name, value=str(value), feature=_param(value, "FEATURE"))
        for name in LINK_PROPERTIES
        for value in property_values(component.get(name))
    )


def clip_instant(component: Component, name: str) -> datetime | None:
    """An Outlook X-CLIPSTART/X-CLIPEND value as aware UTC; None when absent or not UTC."""
    values = property_values(component.get(name))
    if not values:
        return None
    value = getattr(values[0], "dt", None)
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo is not None else None
    try:
        return datetime.strptime(str(values[0]).strip(), _UTC_STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
