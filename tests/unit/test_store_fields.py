"""What both stores take from the core when a source's meetings come in (``core.sourcing``),
when a sync is recorded (``core.feed_reading``) and when Mavera answers 404 for a bot
(``core.model``): which of a source's rows are gone, what a source row says, and the fields a
sync or a missing bot writes."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from service.core.feed_reading import Fetched, failed_fields, synced_fields
from service.core.model import NOT_FOUND, found_fields, not_found_fields
from service.core.sourcing import EVERYTHING, Sourced, SourceMeetings, Window, source_fields
from tests.conftest import T0
from tests.factories import make_meeting, make_planned

WINDOW = Window(start=T0, end=T0 + timedelta(days=1))
INSIDE, OUTSIDE = T0 + timedelta(hours=1), T0 + timedelta(days=2)


def incoming(*keys: str, may_create: bool = True, window: Window | None = WINDOW) -> SourceMeetings:
    planned = [
        replace(make_planned(make_meeting(start_at=INSIDE, key=key)), may_create=may_create)
        for key in keys
    ]
    return SourceMeetings(source="calendar:1", planned=planned, window=window)


def test_a_window_holds_its_start_but_not_its_end() -> None:
    assert WINDOW.covers(T0)
    assert not WINDOW.covers(WINDOW.end)


def test_rows_no_longer_carried_inside_the_window_are_missing() -> None:
    known = {"kept": INSIDE, "dropped": INSIDE, "far": OUTSIDE}
    assert incoming("kept", "new").missing(known) == {"dropped"}


def test_a_partial_source_misses_nothing() -> None:
    assert incoming(window=None).missing({"a": INSIDE}) == set()


def test_a_cancelled_occurrence_still_carries_a_row_it_has() -> None:
    assert incoming("a", may_create=False).missing({"a": INSIDE}) == set()


def test_a_source_gone_as_a_whole_misses_every_row() -> None:
    gone = SourceMeetings.gone("calendar:1")
    assert (gone.planned, gone.window) == ((), EVERYTHING)
    assert gone.missing({"a": INSIDE, "b": OUTSIDE}) == {"a", "b"}


def test_a_source_row_says_what_its_source_decided() -> None:
    item = make_planned(replace(make_meeting(start_at=INSIDE, key="k"), sequence=2, record=False))
    assert source_fields(item, 5) == {
        "meeting_id": 5,
        "sequence": 2,
        "start_at": INSIDE,
        "title": "Pipeline review",
        "record": False,
        "reason": None,
        "explanation": None,
    }


def test_a_good_sync_writes_its_window_and_counts_only_when_the_feed_was_read() -> None:
    fetched = Fetched(data=None, etag="e", last_modified="m")
    unchanged = synced_fields(fetched, None, now=T0)
    assert unchanged == {
        "etag": "e",
        "last_modified": "m",
        "last_attempt_at": T0,
        "last_success_at": T0,
        "last_error": None,
    }
    read = Sourced(meetings=[], occurrences=3, clip_start_at=T0, clip_end_at=OUTSIDE, skipped=())
    assert synced_fields(fetched, read, now=T0) == {
        **unchanged,
        "clip_start": T0,
        "clip_end": OUTSIDE,
        "event_count": 3,
        "meeting_count": 0,
    }


def test_a_failed_sync_writes_only_its_error() -> None:
    assert failed_fields(now=T0, error="boom") == {"last_attempt_at": T0, "last_error": "boom"}


def test_a_bot_mavera_does_not_find_is_marked_and_read_again_or_never() -> None:
    assert not_found_fields("gone", next_check_at=INSIDE, now=T0) == {
        "next_check_at": INSIDE,
        "last_error_code": NOT_FOUND,
        "last_error_message": "gone",
        "updated_at": T0,
    }
    assert not_found_fields("lost", next_check_at=None, now=T0)["next_check_at"] is None
    assert found_fields(T0) == {
        "last_error_code": None,
        "last_error_message": None,
        "updated_at": T0,
    }
