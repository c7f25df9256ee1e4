"""What the stores write for a dispatch, said once in the core (``core.dispatch.writes``):
the fields of a claimed and a released meeting, of a new, filled, failed, closed and duplicate
booking, and what writing down a created bot comes to, as a table."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.core.dispatch import writes
from service.core.dispatch.claims import Claim, Created, Duplicate, Intent, Recorded, intent_for
from service.core.dispatch.states import DispatchState
from service.core.dispatch.writes import Ending
from service.core.model import RemoteBot
from tests.conftest import T0

NOW = T0 + timedelta(minutes=3)
URL = "https://acme.zoom.us/j/1"
S, D, X = Recorded.STORED, Recorded.DUPLICATE, Recorded.DISOWNED


def claim() -> Claim:
    return Claim(
        meeting_id=7,
        token="t",
        title="Weekly",
        meeting_url=URL,
        join_at=T0,
        end_at=T0 + timedelta(hours=1),
        deadline=T0,
        wanted=True,
        prior=DispatchState.WAITING,
        pending_bot=None,
    )


def remote(meeting_url: str | None = None) -> RemoteBot:
    return RemoteBot(
        mavera_id="bot_1", status="joining", meeting_url=meeting_url, join_at=None, created_at=None
    )


def test_an_intent_is_sent_with_the_claims_link_and_join_time() -> None:
    intent = intent_for(claim(), 3, attempt=2, requested_at=T0)
    assert (intent.bot_id, intent.meeting_url, intent.join_at) == (3, URL, T0)
    assert (intent.attempt, intent.requested_at, intent.claim) == (2, T0, claim())


def test_a_released_meeting_keeps_its_dispatch_time_unless_given_one() -> None:
    kept = writes.released_fields(now=NOW, error="e")
    assert kept == {
        "claim_token": None,
        "claimed_by": None,
        "lease_until": None,
        "last_error": "e",
        "updated_at": NOW,
    }
    assert writes.released_fields(now=NOW, dispatch_at=T0) == {
        **kept,
        "last_error": None,
        "dispatch_at": T0,
    }


def test_a_claimed_meeting_carries_the_token_worker_and_lease() -> None:
    lease = NOW + timedelta(seconds=90)
    assert writes.claimed_fields("t", "w1", lease_until=lease, now=NOW) == {
        "claim_token": "t",
        "claimed_by": "w1",
        "lease_until": lease,
        "updated_at": NOW,
    }


def test_a_filled_booking_holds_the_bot_as_its_intent_sent_it() -> None:
    intent = Intent(
        claim=claim(), bot_id=3, meeting_url=URL, join_at=T0, attempt=1, requested_at=T0
    )
    created = Created(bot=remote("https://other"), next_check_at=NOW, track_until=T0)
    fields = writes.filled_fields(intent, created, NOW)
    assert (fields["mavera_id"], fields["status"], fields["meeting_url"]) == (
        "bot_1",
        "joining",
        URL,
    )
    assert (fields["next_check_at"], fields["track_until"], fields["last_error_code"]) == (
        NOW,
        T0,
        None,
    )


@pytest.mark.parametrize(
    ("answered", "kept"), [(None, URL), ("https://answered", "https://answered")]
)
def test_a_duplicate_keeps_what_mavera_said_else_what_its_booking_sent(
    answered: str | None, kept: str
) -> None:
    duplicate = Duplicate(meeting_id=7, bot=remote(answered), meeting_url=URL, join_at=T0)
    fields = writes.duplicate_fields(duplicate, NOW)
    assert (fields["meeting_url"], fields["join_at"], fields["active"]) == (kept, T0, False)
    assert (fields["last_error_code"], fields["mavera_id"]) == (writes.DUPLICATE, "bot_1")
    assert writes.duplicate_note(duplicate) == ("duplicate", "bot bot_1 is a second bot: cancelled")


def test_a_failed_booking_is_closed_only_when_asked() -> None:
    assert "active" not in writes.error_fields("c", "m", now=NOW)
    assert writes.error_fields("c", "m", now=NOW, close=True)["active"] is False


# (the row that had the Mavera id, the booking took the bot now, the claim still holds)
# -> (the worker's outcome, how the meeting's dispatch ends); the booking is 3.
@pytest.mark.parametrize(
    ("holder", "filled", "claimed", "recorded", "ending"),
    [
        (None, True, True, S, Ending.BOOKED),
        (None, True, False, S, Ending.BOOKED),  # a late answer: settled if nobody holds it
        (None, False, True, D, Ending.BOOKED),  # the booking's own bot ends the claim
        (None, False, False, D, Ending.NONE),
        (3, False, True, S, Ending.BOOKED),  # adopted by another worker meanwhile
        (3, False, False, S, Ending.NONE),
        (4, False, True, X, Ending.DISOWNED),  # recorded as a duplicate by another
        (4, False, False, X, Ending.NONE),
    ],
)
def test_what_recording_a_created_bot_comes_to(
    holder: int | None, filled: bool, claimed: bool, recorded: Recorded, ending: Ending
) -> None:
    done = writes.recording(3, holder, filled=filled, claimed=claimed)
    assert (done.recorded, done.ending) == (recorded, ending)
