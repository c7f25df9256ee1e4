"""TZID resolution for one feed: trusted sources, the fallback rules and the OWA name table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Final
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.core.ics.timezones import Zone, ZoneResolver, iana_zone, standard_zone
from service.core.ics.zone_names import (
    DISPLAY_NAME_ZONES,
    display_name_zone,
    is_microsoft_utc,
    without_copy_number,
)

ORG: Final = ZoneInfo("America/Chicago")
CALENDAR_ZONE: Final = ZoneInfo("Europe/Lisbon")
JANUARY: Final = datetime(2025, 1, 15, 12, 0)


def vtimezone(tzid: str, offset: str) -> icalendar.Timezone:
    """A VTIMEZONE with one fixed offset such as ``+0530``, as an Outlook feed defines it."""
    data = (
        "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\n"
        f"TZID:{tzid}\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n"
        f"TZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\nEND:STANDARD\r\n"
        "END:VTIMEZONE\r\nEND:VCALENDAR\r\n"
    )
    (timezone,) = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")
    assert isinstance(timezone, icalendar.Timezone)
    return timezone


def resolver(*definitions: icalendar.Timezone, calendar_zone: tzinfo | None = None) -> ZoneResolver:
    return ZoneResolver(
        definitions={str(item["TZID"]): item for item in definitions},
        calendar_zone=calendar_zone,
        fallback=ORG,
    )


def offset(zone: Zone, when: datetime = JANUARY) -> timedelta | None:
    return when.replace(tzinfo=zone.tzinfo).utcoffset()


@pytest.mark.parametrize("name", sorted(DISPLAY_NAME_ZONES))
def test_display_names_resolve_in_every_outlook_spelling(name: str) -> None:
    zone = DISPLAY_NAME_ZONES[name]
    assert iana_zone(zone) is not None
    for spelling in (
        f"(UTC+01:00) {name}",
        f"(GMT+01:00) {name}",
        f'"(UTC-05:00) {name}"',
        name.replace("&", "and").upper(),
    ):
        assert display_name_zone(spelling) == zone


@pytest.mark.parametrize(
    "tzid",
    ["(UTC+01:00) Atlantis", "(UTC-05:00)", "Eastern", "", "Customized Time Zone", "x" * 400],
)
def test_unknown_display_names_are_not_guessed(tzid: str) -> None:
    assert display_name_zone(tzid) is None


@pytest.mark.parametrize(
    ("tzid", "expected"),
    [
        ("Eastern Standard Time 1", "Eastern Standard Time"),
        ("GMT Standard Time 12", "GMT Standard Time"),
        ("  W. Europe Standard Time 2 ", "W. Europe Standard Time"),
        ("Eastern Standard Time", None),
        ("1", None),
        ("Zone ²", None),
    ],
)
def test_copy_number_is_stripped(tzid: str, expected: str | None) -> None:
    assert without_copy_number(tzid) == expected


def test_microsoft_utc_id_is_recognised() -> None:
    assert is_microsoft_utc("tzone://Microsoft/Utc")
    assert is_microsoft_utc(" TZONE://MICROSOFT/UTC ")
    assert not is_microsoft_utc("tzone://Microsoft/Custom")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("/Europe/Berlin", "Europe/Berlin"),
        ("W. Europe Standard Time", "Europe/Berlin"),
        (
            "/freeassociation.sourceforge.net/Tzfile/America/Argentina/Buenos_Aires",
            "America/Argentina/Buenos_Aires",
        ),
        ("/mozilla.org/20070129_1/America/New_York", "America/New_York"),
        ("Customized Time Zone", None),
        ("../../etc/passwd", None),
    ],
)
def test_standard_zone(name: str, expected: str | None) -> None:
    found = standard_zone(name)
    assert (found.key if found is not None else None) == expected


def test_trusted_names_are_certain_and_not_reported() -> None:
    resolve = resolver()
    assert resolve.resolve("Europe/Berlin") == Zone(ZoneInfo("Europe/Berlin"), uncertain=False)
    assert resolve.resolve("W. Europe Standard Time") == Zone(
        ZoneInfo("Europe/Berlin"), uncertain=False
    )
    assert resolve.unresolved == frozenset()


def test_a_zone_the_feed_defines_is_built_from_that_definition() -> None:
    resolve = resolver(vtimezone("Customized Time Zone", "+0530"))
    zone = resolve.resolve("Customized Time Zone")
    assert (offset(zone), zone.uncertain) == (timedelta(hours=5, minutes=30), False)


def test_the_feed_definition_of_a_windows_name_beats_the_cldr_table() -> None:
    zone = resolver(vtimezone("W. Europe Standard Time", "+0300")).resolve(
        "W. Europe Standard Time"
    )
    assert offset(zone) == timedelta(hours=3)


def test_an_iana_name_ignores_the_feed_definition() -> None:
    zone = resolver(vtimezone("Europe/Berlin", "+0300")).resolve("Europe/Berlin")
    assert zone.tzinfo is ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("tzid", "expected"),
    [
        ("Eastern Standard Time 1", ZoneInfo("America/New_York")),
        ("tzone://Microsoft/Utc", UTC),
        ("(UTC-05:00) Eastern Time (US & Canada)", ZoneInfo("America/New_York")),
        ("(GMT+10:00) Canberra, Melbourne, Sydney", ZoneInfo("Australia/Sydney")),
    ],
)
def test_fallback_rules_guess_and_report(tzid: str, expected: tzinfo) -> None:
    resolve = resolver(calendar_zone=CALENDAR_ZONE)
    assert resolve.resolve(tzid) == Zone(expected, uncertain=True)
    assert resolve.unresolved == {tzid}


def test_numbered_name_uses_the_feed_definition_of_the_plain_name() -> None:
    resolve = resolver(vtimezone("Customized Time Zone", "-0300"))
    zone = resolve.resolve("Customized Time Zone 1")
    assert (offset(zone), zone.uncertain) == (timedelta(hours=-3), True)


def test_last_resort_is_the_calendar_zone_then_the_org_zone() -> None:
    assert resolver(calendar_zone=CALENDAR_ZONE).resolve("Customized Time Zone") == Zone(
        CALENDAR_ZONE, uncertain=True
    )
    assert resolver().resolve("tzone://Microsoft/Custom") == Zone(ORG, uncertain=True)


def test_a_broken_definition_is_treated_as_absent() -> None:
    broken = icalendar.Timezone()
    broken.add("TZID", "Customized Time Zone")
    assert resolver(broken).resolve("Customized Time Zone") == Zone(ORG, uncertain=True)


def test_resolution_is_memoized_per_feed() -> None:
    resolve = resolver(vtimezone("Customized Time Zone", "+0100"))
    assert resolve.resolve("Customized Time Zone") is resolve.resolve("Customized Time Zone")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_any_tzid_resolves_and_is_reported_exactly_when_guessed(tzid: str) -> None:
    resolve = resolver(calendar_zone=CALENDAR_ZONE)
    zone = resolve.resolve(tzid)
    assert zone.uncertain == (tzid in resolve.unresolved)
    assert datetime(2025, 1, 1).replace(tzinfo=zone.tzinfo).utcoffset() is not None
    assert display_name_zone(tzid) in {None, *DISPLAY_NAME_ZONES.values()}
