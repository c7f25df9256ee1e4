"""`parse_feed` on crafted feeds that need TZID fallbacks, and the process-wide cache pitfall."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import icalendar

from service.core.ics import Feed
from service.core.ics.ics import parse_feed

CRAFTED: Final = Path(__file__).resolve().parents[1] / "data" / "crafted"
ORG_ZONE: Final = "America/Chicago"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def parse_bytes(data: bytes) -> Feed:
    return parse_feed(
        data,
        window_start=datetime(2024, 1, 1, tzinfo=UTC),
        window_end=datetime(2026, 1, 1, tzinfo=UTC),
        fallback_zone=ORG_ZONE,
    )


def parse(name: str) -> Feed:
    return parse_bytes((CRAFTED / name).read_bytes())


def test_windows_zone_name_without_vtimezone_is_trusted() -> None:
    parsed = parse("windows_zone_without_vtimezone.ics")
    starts = [item.start_at for item in parsed.occurrences]
    assert len(starts) == 11  # COUNT=12 minus one EXDATE
    assert starts[0] == utc(2025, 1, 13, 9)  # 10:00 CET
    assert utc(2025, 1, 20, 9) not in starts
    assert starts[-1] == utc(2025, 3, 31, 8)  # 10:00 CEST
    assert parsed.unresolved_tzids == ()
    assert not any(item.time_uncertain for item in parsed.occurrences)


def test_copy_numbered_windows_names_fall_back_to_the_windows_zone() -> None:
    parsed = parse("outlook_numbered_zones.ics")
    assert [(item.uid, item.start_at) for item in parsed.occurrences] == [
        ("numbered-eastern@example.com", utc(2025, 3, 10, 13)),  # EDT
        ("numbered-gmt@example.com", utc(2025, 7, 15, 8)),  # BST
    ]
    assert all(item.time_uncertain for item in parsed.occurrences)
    assert parsed.unresolved_tzids == ("Eastern Standard Time 1", "GMT Standard Time 1")


def test_microsoft_utc_id_is_utc_and_custom_falls_back_to_the_org_zone() -> None:
    parsed = parse("microsoft_zone_ids.ics")
    by_uid = {item.uid: item for item in parsed.occurrences}
    assert by_uid["microsoft-utc@example.com"].start_at == utc(2025, 3, 1, 15)
    assert by_uid["microsoft-custom@example.com"].start_at == utc(2025, 3, 1, 21)  # CST
    assert all(item.time_uncertain for item in parsed.occurrences)
    assert parsed.unresolved_tzids == ("tzone://Microsoft/Custom", "tzone://Microsoft/Utc")


def test_floating_time_with_x_wr_timezone_is_certain() -> None:
    (occurrence,) = parse("floating_with_x_wr_timezone.ics").occurrences
    assert occurrence.start_at == utc(2025, 7, 4, 13)  # 09:00 EDT
    assert not occurrence.time_uncertain


def test_floating_time_without_calendar_zone_uses_the_org_zone() -> None:
    by_uid = {item.uid: item for item in parse("floating_without_x_wr_timezone.ics").occurrences}
    assert by_uid["floating@example.com"].start_at == utc(2025, 7, 4, 14)  # 09:00 CDT
    assert by_uid["floating@example.com"].time_uncertain
    assert by_uid["utc@example.com"].start_at == utc(2025, 7, 4, 12)
    assert not by_uid["utc@example.com"].time_uncertain


def test_unknown_x_wr_timezone_is_reported_and_ignored() -> None:
    parsed = parse("invalid_x_wr_timezone.ics")
    assert parsed.unresolved_tzids == ("Mars/Olympus_Mons",)
    (occurrence,) = parsed.occurrences
    assert occurrence.start_at == utc(2025, 1, 15, 15)  # 09:00 CST
    assert occurrence.time_uncertain


def test_a_defined_custom_zone_does_not_leak_into_another_feed() -> None:
    defined = parse("custom_zone_defined.ics")
    undefined_bytes = (CRAFTED / "custom_zone_undefined.ics").read_bytes()
    # The pitfall is real: icalendar alone now attaches the first feed's zone.
    alone = icalendar.Calendar.from_ical(undefined_bytes).walk("VEVENT")[0]
    assert alone.get("DTSTART").dt.tzinfo is not None

    undefined = parse_bytes(undefined_bytes)
    assert defined.occurrences[0].start_at == utc(2025, 6, 1, 4, 30)  # +05:30
    assert not defined.occurrences[0].time_uncertain
    (occurrence,) = undefined.occurrences
    assert occurrence.start_at == utc(2025, 6, 1, 15)  # the org zone, CDT
    assert occurrence.time_uncertain
    assert undefined.unresolved_tzids == ("Customized Time Zone",)


def test_a_feed_redefining_a_custom_zone_gets_its_own_offsets() -> None:
    parse("custom_zone_defined.ics")
    (occurrence,) = parse("custom_zone_redefined.ics").occurrences
    assert occurrence.start_at == utc(2025, 6, 1, 13)  # -03:00, defined after its use
    assert not occurrence.time_uncertain


def test_x_wr_timezone_given_as_a_windows_name_is_understood() -> None:
    data = (
        b"BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:W. Europe Standard Time\r\nBEGIN:VEVENT\r\n"
        b"UID:w@x\r\nDTSTART:20250115T090000\r\nDTEND:20250115T100000\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    parsed = parse_bytes(data)
    assert [(item.start_at, item.time_uncertain) for item in parsed.occurrences] == [
        (utc(2025, 1, 15, 8), False)  # 09:00 CET
    ]
    assert parsed.unresolved_tzids == ()
