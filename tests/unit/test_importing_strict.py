"""Meeting import is type-strict: no number becomes a time or a text, every field is bounded,
and the text it keeps carries no terminal controls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from service.core.errors import InputError
from service.core.json_meetings import parse_rows

ZOOM = "https://acme.zoom.us/j/81234567890?pwd=abc"
ROW = "row 1 (uid 'evt-1')"
EXAMPLE = "e.g. 2026-11-24T09:00:00Z"
NOT_A_STRING = f"must be an ISO 8601 date-time string with an offset, {EXAMPLE}"


def row(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Pipeline review",
        "meeting_url": ZOOM,
        "start": "2026-11-24T09:00:00Z",
        "end": "2026-11-24T09:30:00Z",
        "uid": "evt-1",
    }
    return {**base, **changes}


def input_error(data: Any) -> str:
    with pytest.raises(InputError) as caught:
        parse_rows(data)
    return str(caught.value)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (12345, f"{NOT_A_STRING} (got a number)"),
        (1700000000.5, f"{NOT_A_STRING} (got a number)"),
        (True, f"{NOT_A_STRING} (got a boolean)"),
        (None, f"{NOT_A_STRING} (got null)"),
        (["2026-11-24T09:00:00Z"], f"{NOT_A_STRING} (got an array)"),
        ({"at": "2026-11-24T09:00:00Z"}, f"{NOT_A_STRING} (got an object)"),
        ("1700000000", f"not an ISO 8601 date-time ({EXAMPLE})"),
        ("12345", f"not an ISO 8601 date-time ({EXAMPLE})"),
        ("", f"not an ISO 8601 date-time ({EXAMPLE})"),
        ("2026-W48-2T09:00:00Z", f"not an ISO 8601 date-time ({EXAMPLE})"),
        ("20261124T090000Z", f"not an ISO 8601 date-time ({EXAMPLE})"),
        ("tomorrow at nine", f"not an ISO 8601 date-time ({EXAMPLE})"),
        ("2026-11-24", f"not an ISO 8601 date-time ({EXAMPLE})"),
        ("2026-11-24T09:00:00", f"needs a time zone offset ({EXAMPLE})"),
        ("2026-13-24T09:00:00Z", "not a valid date-time: month must be in 1..12"),
        ("2026-11-24T09:00:00+25:00", "not a valid date-time: "),
        ("9999-12-31T23:59:59-01:00", "year 9999 is outside 2000-2100"),
        ("0001-01-01T00:00:00+01:00", "year 1 is outside 2000-2100"),
        ("1970-01-01T00:00:00Z", "year 1970 is outside 2000-2100"),
    ],
)
def test_start_must_be_an_iso_string_with_an_offset(value: Any, problem: str) -> None:
    assert input_error([row(start=value)]).startswith(f"{ROW}: start: {problem}")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-24T10:00:00+01:00", datetime(2026, 11, 24, 9, tzinfo=UTC)),
        ("2026-11-24 09:00:00Z", datetime(2026, 11, 24, 9, tzinfo=UTC)),
        ("2026-11-24t09:00z", datetime(2026, 11, 24, 9, tzinfo=UTC)),
        ("2026-11-24T04:00:00.5-0500", datetime(2026, 11, 24, 9, 0, 0, 500000, tzinfo=UTC)),
    ],
)
def test_the_rfc_3339_forms_are_read_as_utc(value: str, expected: datetime) -> None:
    (meeting,) = parse_rows([row(start=value, end="2026-11-24T12:00:00Z")])
    assert meeting.start_at == expected


def test_an_end_as_a_number_is_refused_too() -> None:
    assert input_error([row(end=1700000000)]) == f"{ROW}: end: {NOT_A_STRING} (got a number)"


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("title", 1, "Input should be a valid string"),
        ("title", True, "Input should be a valid string"),
        ("title", ["Standup"], "Input should be a valid string"),
        ("title", "x" * 501, "String should have at most 500 characters"),
        ("title", "\x1b\x07\u202e", "has no visible characters"),
        ("meeting_url", 81234567890, "Input should be a valid string"),
        ("meeting_url", "https://acme.zoom.us/j/1?x=" + "a" * 4000, "String should have at most"),
        ("organizer", 7, "Input should be a valid string"),
        ("organizer", "a" * 321, "String should have at most 320 characters"),
        ("attendees", "jane@acme.example", "Input should be a valid list"),
        ("attendees", ["a@acme.example"] * 5001, "List should have at most 5000 items"),
        ("uid", 42, "Input should be a valid string"),
        ("uid", "u" * 401, "String should have at most 400 characters"),
    ],
)
def test_text_fields_are_strict_strings_with_bounds(field: str, value: Any, problem: str) -> None:
    message = input_error([row(**{field: value})])
    assert message.startswith("row 1 ("), message
    assert f"): {field}: {problem}" in message, message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([row(), 7], "row 2: expected a JSON object, got a number"),
        ([row(), None], "row 2: expected a JSON object, got null"),
        ([row(), [row()]], "row 2: expected a JSON object, got an array"),
        ([row(uid=3)], "row 1 (title 'Pipeline review'): uid: Input should be a valid string"),
        ([{"uid": "evt-9"}], "row 1 (uid 'evt-9'): title: Field required"),
        (
            [row(uid="\x1b]0;x\x07evt", start=1)],
            f"row 1 (uid '\\x1b]0;x\\x07evt'): start: {NOT_A_STRING} (got a number)",
        ),
        (
            [row(uid="u" * 60, start=1)],
            f"row 1 (uid '{'u' * 39}…'): start: {NOT_A_STRING} (got a number)",
        ),
    ],
)
def test_the_error_names_the_row_by_index_and_uid_or_title(data: Any, message: str) -> None:
    assert input_error(data) == message


def test_control_characters_are_stripped_from_what_is_kept() -> None:
    (meeting,) = parse_rows(
        [
            row(
                title="\x1b]0;owned\x07Stand\u202eup\nnotes",
                uid="evt\x00-1",
                organizer="jane\x1b@acme.example",
                attendees=["sam@globex.example\u2066", "\x07"],
            )
        ]
    )
    assert meeting.title == "]0;ownedStandup notes"
    assert meeting.source_key == "evt-1"
    assert meeting.organizer == "jane@acme.example"
    assert meeting.attendees == ("sam@globex.example",)


def test_a_long_url_without_uid_still_makes_a_key_the_store_can_hold() -> None:
    url = "https://acme.zoom.us/j/81234567890?pwd=" + "a" * 900
    without_uid = {key: value for key, value in row(meeting_url=url).items() if key != "uid"}
    (first,) = parse_rows([without_uid])
    (again,) = parse_rows([without_uid])
    assert len(first.source_key) == 500
    assert first.source_key == again.source_key
