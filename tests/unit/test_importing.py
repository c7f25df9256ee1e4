"""Meeting import: a JSON list of rows becomes MeetingInputs, or one error naming the bad row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from service.core.errors import InputError
from service.core.json_meetings import parse_rows
from service.core.model import MeetingInput, Platform

ZOOM = "https://acme.zoom.us/j/81234567890?pwd=abc"
MEET = "https://meet.google.com/abc-defg-hij"


def row(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "Pipeline review",
        "meeting_url": ZOOM,
        "start": "2026-11-24T09:00:00Z",
        "end": "2026-11-24T09:30:00Z",
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def input_error(data: Any) -> str:
    with pytest.raises(InputError) as caught:
        parse_rows(data)
    return str(caught.value)


def test_a_full_row_becomes_a_meeting_in_utc_with_a_normalized_url() -> None:
    meetings = parse_rows(
        [
            row(
                title="  Quarterly planning ",
                meeting_url="https://ACME.zoom.us/j/81234567890?pwd=abc&uname=Jane#success",
                start="2026-11-24T10:00:00+01:00",
                end="2026-11-24T05:30:00-04:00",
                organizer="jane@acme.example",
                attendees=["jane@acme.example", "bob@globex.example"],
                uid="evt-42@acme",
            )
        ]
    )
    assert meetings == [
        MeetingInput(
            source="json",
            source_key="evt-42@acme",
            title="Quarterly planning",
            meeting_url=ZOOM,
            platform=Platform.ZOOM,
            start_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
            end_at=datetime(2026, 11, 24, 9, 30, tzinfo=UTC),
            organizer="jane@acme.example",
            attendees=("jane@acme.example", "bob@globex.example"),
        )
    ]
    assert meetings[0].start_at.tzinfo is UTC
    assert meetings[0].end_at.tzinfo is UTC


def test_without_uid_the_source_key_is_the_url_and_utc_start() -> None:
    (meeting,) = parse_rows(
        [row(meeting_url=MEET + "?authuser=1", start="2026-11-24T10:00:00+01:00")]
    )
    assert meeting.source_key == f"{MEET}@2026-11-24T09:00:00Z"
    assert (meeting.platform, meeting.organizer, meeting.attendees) == (
        Platform.GOOGLE_MEET,
        None,
        (),
    )


def test_rows_keep_their_order() -> None:
    meetings = parse_rows(
        [row(title="b", meeting_url=MEET), row(title="a"), row(title="c", uid="x")]
    )
    assert [m.title for m in meetings] == ["b", "a", "c"]


def test_an_empty_list_is_no_meetings() -> None:
    assert parse_rows([]) == []


@pytest.mark.parametrize(
    ("data", "got"),
    [
        ({}, "an object"),
        ({"meetings": []}, "an object"),
        ("[]", "a string"),
        (None, "null"),
        (3, "a number"),
    ],
)
def test_the_file_must_be_a_list(data: Any, got: str) -> None:
    assert input_error(data) == f"file: expected a JSON array of meetings, got {got}"


@pytest.mark.parametrize("field", ["title", "meeting_url", "start", "end"])
def test_a_missing_field_is_named_with_its_row(field: str) -> None:
    expected = "row 2" if field == "title" else "row 2 (title 'Pipeline review')"
    assert input_error([row(), row(**{field: None})]) == f"{expected}: {field}: Field required"


def test_an_unknown_field_is_named_with_its_row() -> None:
    rows = [row(), row(meeting_url=MEET), row(colour="red")]
    assert input_error(rows) == "row 3 (title 'Pipeline review'): colour: unknown field"


def test_the_first_bad_row_in_file_order_is_reported() -> None:
    assert input_error([row(), row(), row(colour="red")]) == (
        "row 2 (title 'Pipeline review'): meeting_url: same meeting as row 1"
    )


@pytest.mark.parametrize("field", ["start", "end"])
def test_a_naive_datetime_is_refused(field: str) -> None:
    assert input_error([row(**{field: "2026-11-24T09:15:00"})]) == (
        f"row 1 (title 'Pipeline review'): {field}: "
        "needs a time zone offset (e.g. 2026-11-24T09:00:00Z)"
    )


@pytest.mark.parametrize(
    "end", ["2026-11-24T09:00:00Z", "2026-11-24T08:59:59Z", "2026-11-24T10:00:00+01:00"]
)
def test_an_end_not_after_the_start_is_refused(end: str) -> None:
    assert (
        input_error([row(end=end)]) == "row 1 (title 'Pipeline review'): end: must be after start"
    )


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://example.com/meeting/1", "unknown_host"),
        ("https://acme.zoom.us/profile", "not_a_join_path"),
    ],
)
def test_an_unsupported_meeting_url_is_refused(url: str, reason: str) -> None:
    assert input_error([row(meeting_url=url)]) == (
        f"row 1 (title 'Pipeline review'): meeting_url: not a supported meeting link ({reason})"
    )


def test_a_blank_title_is_refused() -> None:
    assert input_error([row(title="   ")]) == (
        "row 1: title: String should have at least 1 character"
    )


def test_a_row_that_is_not_an_object_is_refused() -> None:
    assert input_error([row(), "meeting"]) == "row 2: expected a JSON object, got a string"


def test_a_bad_attendee_is_named_by_position() -> None:
    assert input_error([row(attendees=["a@acme.example", 7])]) == (
        "row 1 (title 'Pipeline review'): attendees.1: Input should be a valid string"
    )


def test_the_same_meeting_twice_is_refused_naming_both_rows() -> None:
    duplicate = row(title="Same call, other title", start="2026-11-24T10:00:00+01:00")
    assert input_error([row(), row(meeting_url=MEET), duplicate]) == (
        "row 3 (title 'Same call, other title'): meeting_url: same meeting as row 1"
    )


def test_the_same_uid_twice_is_refused() -> None:
    rows = [
        row(uid="evt-1"),
        row(
            uid="evt-1", meeting_url=MEET, start="2026-11-25T09:00:00Z", end="2026-11-25T10:00:00Z"
        ),
    ]
    assert input_error(rows) == "row 2 (uid 'evt-1'): uid: same meeting as row 1"


def test_one_bad_row_among_good_ones_returns_nothing() -> None:
    rows = [row(), row(meeting_url=MEET), row(end="2026-11-24T08:00:00Z")]
    assert input_error(rows) == "row 3 (title 'Pipeline review'): end: must be after start"
