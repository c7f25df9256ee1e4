"""The bot status state machine: which observed status changes are recorded, and how."""

from __future__ import annotations

import pytest

from service.core.bot_states import NEXT, Observation, is_terminal, observe
from service.core.model import TERMINAL_STATUSES, BotStatus

S = BotStatus
ALL = tuple(BotStatus)
TERMINAL = tuple(s for s in ALL if s in TERMINAL_STATUSES)


def test_the_table_covers_every_documented_status() -> None:
    assert set(NEXT) == set(BotStatus)
    assert all(status not in NEXT[status] for status in ALL)


@pytest.mark.parametrize("seen", [s for s in ALL if s is not S.PENDING])
def test_every_status_is_reachable_from_pending_in_one_observation(seen: BotStatus) -> None:
    assert observe("pending", seen) == Observation(
        status=seen, record=True, known=True, expected=True
    )


@pytest.mark.parametrize(
    ("current", "seen", "record", "expected"),
    [
        ("pending", "joining_call", True, True),
        ("pending", "done", True, True),
        ("joining_call", "in_call_recording", True, True),
        ("in_waiting_room", "fatal", True, True),
        ("in_call_not_recording", "in_call_recording", True, True),
        ("in_call_recording", "in_call_not_recording", True, True),
        ("in_call_recording", "recording_done", True, True),
        ("call_ended", "media_expired", True, True),
        ("recording_done", "done", True, True),
        ("done", "media_expired", True, True),
        # Unexpected known moves (mostly backward): Mavera is the truth, so they are kept.
        ("in_call_recording", "pending", True, False),
        ("in_call_recording", "joining_call", True, False),
        ("recording_done", "in_call_recording", True, False),
        ("call_ended", "cancelled", True, False),
        # Terminal statuses are final: a later different answer is not applied.
        ("done", "pending", False, False),
        ("done", "in_call_recording", False, False),
        ("fatal", "done", False, False),
        ("cancelled", "pending", False, False),
        ("media_expired", "done", False, False),
        ("recording_permission_denied", "in_call_recording", False, False),
    ],
)
def test_observation_of_a_known_status(
    current: str, seen: str, record: bool, expected: bool
) -> None:
    assert observe(current, seen) == Observation(
        status=seen, record=record, known=True, expected=expected
    )


@pytest.mark.parametrize("terminal", TERMINAL)
def test_terminal_statuses_absorb_every_other_known_status(terminal: BotStatus) -> None:
    allowed = {S.MEDIA_EXPIRED} if terminal is S.DONE else set()
    assert NEXT[terminal] == allowed
    for seen in ALL:
        if seen is terminal:
            continue
        observation = observe(terminal, seen)
        assert observation.record is (seen in allowed), (terminal, seen)
        assert observation.expected is (seen in allowed), (terminal, seen)


@pytest.mark.parametrize("terminal", TERMINAL)
def test_terminal_statuses_absorb_an_unknown_status_too(terminal: BotStatus) -> None:
    assert observe(terminal, "archived") == Observation(
        status="archived", record=False, known=False, expected=False
    )


@pytest.mark.parametrize("status", [*ALL, "archived"])
def test_the_same_status_again_is_not_recorded(status: str) -> None:
    assert observe(status, status) == Observation(
        status=status, record=False, known=status in set(ALL), expected=True
    )


@pytest.mark.parametrize("current", ["pending", "in_call_recording", "call_ended"])
def test_an_unknown_status_is_recorded_as_unknown(current: str) -> None:
    assert observe(current, "bot_sleeping") == Observation(
        status="bot_sleeping", record=True, known=False, expected=False
    )


def test_the_first_status_is_recorded_as_expected_whatever_it_is() -> None:
    assert observe(None, "pending") == Observation(
        status="pending", record=True, known=True, expected=True
    )
    assert observe(None, "in_call_recording") == Observation(
        status="in_call_recording", record=True, known=True, expected=True
    )
    assert observe(None, "bot_sleeping") == Observation(
        status="bot_sleeping", record=True, known=False, expected=True
    )


def test_leaving_an_unknown_status_is_recorded_but_unexpected() -> None:
    assert observe("bot_sleeping", "in_call_recording") == Observation(
        status="in_call_recording", record=True, known=True, expected=False
    )


@pytest.mark.parametrize(
    ("status", "terminal"),
    [
        *((s.value, s in TERMINAL_STATUSES) for s in ALL),
        (None, False),
        ("bot_sleeping", False),
    ],
)
def test_is_terminal(status: str | None, terminal: bool) -> None:
    assert is_terminal(status) is terminal
