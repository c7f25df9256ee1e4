"""What the calendars use case and the preview refuse, named neutrally (the CLI and the HTTP
API each name their own argument)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.composition import preview_feed
from service.config import Settings
from service.core.errors import InputError
from service.core.model import CalendarKind
from service.usecases.calendars import NewCalendar, check
from tests.conftest import T0
from tests.fakes.clock import FakeClock

URL = "https://calendar.example.com/team.ics"


def refused(**changes: object) -> tuple[str, str]:
    values: dict[str, object] = {"name": "Team", "kind": CalendarKind.ICS_URL, "location": URL}
    with pytest.raises(InputError) as caught:
        check(NewCalendar(**{**values, **changes}), allow_private=False)  # type: ignore[arg-type]
    return caught.value.where, caught.value.problem


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "Team\x1b[2J"])
def test_a_calendar_name_is_1_to_200_visible_characters(name: str) -> None:
    problem = "expected 1 to 200 characters, none of them control characters"
    assert refused(name=name) == ("name", problem)


@pytest.mark.parametrize("owner", ["jane", "", " jane@acme.example", "jane\x00@acme.example"])
def test_a_calendar_owner_is_an_email(owner: str) -> None:
    assert refused(owner_email=owner)[0] == "owner"


def test_a_feed_url_is_checked_but_a_file_path_is_not() -> None:
    assert refused(location="http://127.0.0.1/a.ics") == ("url", "feed URLs must use https")
    local = NewCalendar(name="File", kind=CalendarKind.ICS_FILE, location="/tmp/a.ics")
    check(local, allow_private=False)
    owned = NewCalendar(
        name="Team", kind=CalendarKind.ICS_URL, location=URL, owner_email="Jane@Acme.example"
    )
    check(owned, allow_private=False)


def test_a_preview_window_runs_from_now_to_the_sync_window_end_by_default() -> None:
    feed = preview_feed(Settings(), FakeClock(T0))
    assert feed.window(None, None) == (T0, T0 + timedelta(days=28))
    later = T0 + timedelta(days=2)
    assert feed.window(later, None) == (later, T0 + timedelta(days=28))
    with pytest.raises(InputError) as caught:
        feed.window(later, later)
    assert (caught.value.where, caught.value.problem) == ("end", "must be after start")
