"""ListScan: finding, in Mavera's bot list, the bots that ambiguous creates may have made."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest

from service.core.matching import ListScan, Resolution, match_key
from service.core.model import Bot, RemoteBot

ZOOM = "https://acme.zoom.us/j/81234567890?pwd=abc"
MEET = "https://meet.google.com/abc-defg-hij"
JOIN = datetime(2026, 11, 24, 8, 59, tzinfo=UTC)
REQUESTED = datetime(2026, 11, 24, 8, 49, tzinfo=UTC)
SKEW = timedelta(minutes=2)
SINCE = REQUESTED - SKEW


def booking(
    bot_id: int,
    *,
    url: str = ZOOM,
    join_at: datetime = JOIN,
    requested_at: datetime | None = REQUESTED,
) -> Bot:
    return Bot(
        id=bot_id,
        meeting_id=100 + bot_id,
        mavera_id=None,
        meeting_url=url,
        join_at=join_at,
        status=None,
        active=True,
        attempts=1,
        requested_at=requested_at,
        status_changed_at=None,
        next_check_at=None,
        track_until=None,
    )


def remote(
    mavera_id: str,
    *,
    created_at: datetime | None,
    url: str | None = ZOOM,
    join_at: datetime | None = JOIN,
) -> RemoteBot:
    return RemoteBot(
        mavera_id=mavera_id,
        status="pending",
        meeting_url=url,
        join_at=join_at,
        created_at=created_at,
    )


def minutes(n: float) -> datetime:
    return REQUESTED + timedelta(minutes=n)


def scan_of(*pending: Bot) -> ListScan:
    return ListScan(pending=list(pending), skew=SKEW)


def test_match_key_is_the_canonical_url_and_the_join_second() -> None:
    key = match_key("https://ACME.zoom.us/j/81234567890?pwd=abc&uname=Jane", JOIN)
    assert key == (ZOOM, int(JOIN.timestamp()))
    assert match_key(ZOOM, JOIN + timedelta(milliseconds=999)) == key
    assert match_key(ZOOM, JOIN.astimezone(timezone(timedelta(hours=-5)))) == key
    assert match_key(" not a link ", JOIN) == ("not a link", int(JOIN.timestamp()))
    assert match_key(None, JOIN) is None
    assert match_key(ZOOM, None) is None


def test_a_bot_is_found_by_canonical_url_and_join_second() -> None:
    scan = scan_of(booking(1, join_at=JOIN + timedelta(milliseconds=400)))
    found = remote(
        "m1",
        created_at=minutes(1),
        url="https://ACME.zoom.us/j/81234567890?pwd=abc#success",
        join_at=JOIN.astimezone(timezone(timedelta(hours=1))),
    )
    scan.add_page([found], known=set())
    assert scan.resolve() == Resolution(adopt={1: found}, duplicates=[])


@pytest.mark.parametrize(
    "other",
    [
        remote("x", created_at=minutes(1), join_at=JOIN + timedelta(seconds=1)),
        remote("x", created_at=minutes(1), url=MEET),
        remote("x", created_at=minutes(1), url=None),
        remote("x", created_at=minutes(1), join_at=None),
    ],
)
def test_a_bot_for_another_url_or_second_is_not_ours(other: RemoteBot) -> None:
    scan = scan_of(booking(1))
    scan.add_page([other], known=set())
    assert scan.resolve() == Resolution(adopt={}, duplicates=[])


def test_bots_we_already_know_are_ignored() -> None:
    scan = scan_of(booking(1))
    scan.add_page(
        [remote("m2", created_at=minutes(2)), remote("m1", created_at=minutes(1))], known={"m2"}
    )
    assert scan.resolve() == Resolution(
        adopt={1: remote("m1", created_at=minutes(1))}, duplicates=[]
    )


def test_bots_created_before_the_request_minus_skew_are_ignored() -> None:
    scan = scan_of(booking(1))
    at_since = remote("edge", created_at=SINCE)
    too_old = remote("old", created_at=SINCE - timedelta(microseconds=1))
    scan.add_page([at_since, too_old], known=set())
    assert scan.resolve() == Resolution(adopt={1: at_since}, duplicates=[])


def test_a_bot_without_created_at_is_not_ruled_out_by_age() -> None:
    scan = scan_of(booking(1))
    undated = remote("m1", created_at=None)
    scan.add_page([undated], known=set())
    assert scan.resolve() == Resolution(adopt={1: undated}, duplicates=[])


def test_the_scan_is_complete_once_a_newest_first_list_passes_since() -> None:
    scan = scan_of(booking(1), booking(2, url=MEET, requested_at=minutes(5)))
    scan.add_page(
        [remote("a", created_at=minutes(10)), remote("b", created_at=minutes(3))], known=set()
    )
    assert not scan.complete()
    scan.add_page([remote("c", created_at=SINCE)], known=set())
    assert not scan.complete()
    scan.add_page([remote("d", created_at=SINCE - timedelta(seconds=1))], known=set())
    assert scan.complete()


def test_equal_creation_times_still_count_as_newest_first() -> None:
    scan = scan_of(booking(1))
    same = minutes(1)
    scan.add_page(
        [
            remote("a", created_at=same),
            remote("b", created_at=same),
            remote("c", created_at=minutes(-5)),
        ],
        known=set(),
    )
    assert scan.complete()


def test_the_scan_is_not_complete_when_the_list_is_oldest_first() -> None:
    scan = scan_of(booking(1))
    scan.add_page(
        [remote("a", created_at=minutes(-30)), remote("b", created_at=minutes(1))], known=set()
    )
    scan.add_page([remote("c", created_at=minutes(-60))], known=set())
    assert not scan.complete()


def test_the_order_is_checked_across_pages() -> None:
    scan = scan_of(booking(1))
    scan.add_page([remote("a", created_at=minutes(1))], known=set())
    scan.add_page(
        [remote("b", created_at=minutes(4)), remote("c", created_at=minutes(-30))], known=set()
    )
    assert not scan.complete()


def test_the_scan_is_not_complete_when_a_bot_has_no_created_at() -> None:
    scan = scan_of(booking(1))
    scan.add_page([remote("a", created_at=None), remote("b", created_at=minutes(-30))], known=set())
    assert not scan.complete()


def test_without_request_times_the_scan_is_never_complete() -> None:
    scan = scan_of(booking(1, requested_at=None))
    scan.add_page([remote("a", created_at=minutes(-600))], known=set())
    assert not scan.complete()
    assert scan.resolve() == Resolution(
        adopt={1: remote("a", created_at=minutes(-600))}, duplicates=[]
    )


def test_resolve_pairs_oldest_booking_with_oldest_bot_and_reports_the_extras() -> None:
    early, late = booking(7, requested_at=minutes(0)), booking(3, requested_at=minutes(4))
    newest, middle, oldest = (
        remote("m3", created_at=minutes(6)),
        remote("m2", created_at=minutes(5)),
        remote("m1", created_at=minutes(1)),
    )
    scan = scan_of(late, early)
    scan.add_page([newest, middle, oldest], known=set())
    assert scan.resolve() == Resolution(adopt={7: oldest, 3: middle}, duplicates=[newest])


def test_resolve_keeps_each_meeting_to_its_own_bots() -> None:
    zoom_bot = remote("z", created_at=minutes(2))
    meet_new = remote("g2", created_at=minutes(3), url=MEET)
    meet_old = remote("g1", created_at=minutes(1), url=MEET)
    scan = scan_of(booking(1), booking(2, url=MEET))
    scan.add_page([meet_new, zoom_bot, meet_old], known=set())
    assert scan.resolve() == Resolution(adopt={1: zoom_bot, 2: meet_old}, duplicates=[meet_new])


def test_a_booking_with_no_bot_found_is_left_unresolved() -> None:
    scan = scan_of(booking(1), booking(2, url=MEET))
    found = remote("m1", created_at=minutes(1), url=MEET)
    scan.add_page([found], known=set())
    assert scan.resolve() == Resolution(adopt={2: found}, duplicates=[])


def test_a_cancelled_bot_is_never_adopted() -> None:
    scan = scan_of(booking(1))
    cancelled = replace(remote("m_cancelled", created_at=minutes(1)), status="cancelled")
    scan.add_page([cancelled, remote("m_live", created_at=minutes(2))], known=set())
    assert scan.resolve().adopt == {1: remote("m_live", created_at=minutes(2))}
    only_cancelled = scan_of(booking(1))
    only_cancelled.add_page([cancelled], known=set())
    assert only_cancelled.resolve().adopt == {}
