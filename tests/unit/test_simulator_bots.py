"""Bot scripts of the simulator: outcome draws, planned timelines, status at an instant, cancel."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from random import Random

import pytest

from service.core.errors import ConfigError
from service.core.model import BotStatus, Platform
from service.simulator.bots import Outcome, SimBot, choose_outcome, plan_script
from service.simulator.settings import Durations, Faults, OutcomeMix, SimulatorSettings

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def make_bot(outcome: Outcome = Outcome.NORMAL, durations: Durations | None = None) -> SimBot:
    script = plan_script(
        outcome=outcome,
        created_at=T0,
        start_at=at(60),
        durations=durations or Durations(),
        rng=Random(1),
    )
    return SimBot(
        id="meeting_1",
        owner="key_x",
        title=None,
        meeting_url="https://zoom.us/j/1",
        platform=Platform.ZOOM,
        bot_name="Mavera Notetaker",
        workspace_id="ws_default",
        requested_join_at=at(60),
        join_at=at(60),
        created_at=T0,
        outcome=outcome,
        script=script,
    )


def test_normal_script_uses_the_default_durations() -> None:
    bot = make_bot()
    assert [(e.status, (e.at - T0).total_seconds()) for e in bot.timeline] == [
        (BotStatus.PENDING, 0),
        (BotStatus.JOINING_CALL, 60),
        (BotStatus.IN_CALL_NOT_RECORDING, 80),
        (BotStatus.IN_CALL_RECORDING, 90),
        (BotStatus.CALL_ENDED, 1890),
        (BotStatus.RECORDING_DONE, 1920),
        (BotStatus.DONE, 2040),
    ]


def test_status_at_follows_the_timeline_boundaries() -> None:
    bot = make_bot()
    assert bot.status_at(at(-5)) is BotStatus.PENDING
    assert bot.status_at(at(59.999)) is BotStatus.PENDING
    assert bot.status_at(at(60)) is BotStatus.JOINING_CALL
    assert bot.status_at(at(10_000)) is BotStatus.DONE
    assert bot.reached_at(BotStatus.DONE, at(2039)) is None
    assert bot.is_terminal_at(at(2040))


def test_cancel_cuts_the_script_at_the_cancel_instant() -> None:
    bot = make_bot().cancel(at=at(85), by="user_x", reason=None)
    assert [e.status for e in bot.timeline] == [
        BotStatus.PENDING,
        BotStatus.JOINING_CALL,
        BotStatus.IN_CALL_NOT_RECORDING,
        BotStatus.CANCELLED,
    ]
    assert bot.status_at(at(5000)) is BotStatus.CANCELLED
    assert bot.status_at(at(84)) is BotStatus.IN_CALL_NOT_RECORDING


def test_jitter_stretches_stays_within_bounds() -> None:
    bot = make_bot(durations=Durations(jitter=0.5))
    joined, in_call = bot.timeline[1].at, bot.timeline[2].at
    assert timedelta(seconds=10) <= in_call - joined <= timedelta(seconds=30)


def test_outcome_draws_follow_the_mix() -> None:
    mix = OutcomeMix(fatal=0.25, permission_denied=0.25, waiting_room_rejected=0.25)
    rng = Random(3)
    counts = Counter(choose_outcome(mix, rng) for _ in range(4000))
    assert counts[Outcome.WAITING_ROOM_ADMITTED] == 0
    for outcome in (Outcome.FATAL, Outcome.PERMISSION_DENIED, Outcome.NORMAL):
        assert 850 < counts[outcome] < 1150, outcome


def test_a_mix_of_one_is_certain() -> None:
    rng = Random(0)
    mix = OutcomeMix(waiting_room_admitted=1.0)
    assert {choose_outcome(mix, rng) for _ in range(100)} == {Outcome.WAITING_ROOM_ADMITTED}


def test_fast_preset_runs_a_normal_bot_in_about_two_minutes() -> None:
    settings = SimulatorSettings.fast(rpm=120)
    bot_script = plan_script(
        outcome=Outcome.NORMAL,
        created_at=T0,
        start_at=T0 + settings.durations.pickup,
        durations=settings.durations,
        rng=Random(0),
    )
    done = next(e.at for e in bot_script if e.status is BotStatus.DONE)
    assert timedelta(seconds=90) <= done - T0 <= timedelta(seconds=150)
    assert settings.rpm == 120


@pytest.mark.parametrize(
    "build",
    [
        lambda: OutcomeMix(fatal=0.6, permission_denied=0.6),
        lambda: OutcomeMix(fatal=-0.1),
        lambda: Durations(call=timedelta(seconds=-1)),
        lambda: Faults(error_rate=1.5),
        lambda: Faults(latency_seconds=-1),
        lambda: SimulatorSettings(rpm=0),
        lambda: SimulatorSettings(credits=-1),
    ],
)
def test_invalid_settings_are_refused(build: Callable[[], object]) -> None:
    with pytest.raises(ConfigError):
        build()
