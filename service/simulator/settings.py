"""Simulator settings: limits, keys, credits, lifecycle durations, outcome mix and faults."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import timedelta
from typing import Any, Literal

from service.core.errors import ConfigError

ListShape = Literal["cursor", "offset"]
LIST_SHAPES: tuple[ListShape, ...] = ("cursor", "offset")


def _check_fraction(key: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ConfigError(key, f"must be a fraction between 0 and 1, got {value!r}")


def _check_not_negative(key: str, value: float) -> None:
    if value < 0:
        raise ConfigError(key, f"must not be negative, got {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Durations:
    """How long a bot stays in each status of its script (``retention=None``: media never expire).

    ``pickup`` is how long an adhoc bot stays ``pending`` before joining; ``jitter`` is the
    fraction by which every stay is randomly stretched or shrunk (0 = exact).
    """

    pickup: timedelta = timedelta(seconds=2)
    joining: timedelta = timedelta(seconds=20)
    waiting_room: timedelta = timedelta(seconds=60)
    waiting_room_timeout: timedelta = timedelta(minutes=5)
    not_recording: timedelta = timedelta(seconds=10)
    call: timedelta = timedelta(minutes=30)
    call_ended: timedelta = timedelta(seconds=30)
    processing: timedelta = timedelta(minutes=2)
    retention: timedelta | None = None
    jitter: float = 0.0

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, timedelta) and value < timedelta(0):
                raise ConfigError(f"durations.{item.name}", "must not be negative")
        _check_fraction("durations.jitter", self.jitter)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeMix:
    """Fractions of new bots that take each failure path; the rest succeed normally.

    An ``OutcomeMix()`` built by hand is all-success unless fields are given, so
    ``OutcomeMix(fatal=1.0)`` means "every bot fails"; ``typical()`` is the settings default.
    """

    fatal: float = 0.0
    permission_denied: float = 0.0
    waiting_room_admitted: float = 0.0
    waiting_room_rejected: float = 0.0

    def __post_init__(self) -> None:
        for item in fields(self):
            _check_fraction(f"mix.{item.name}", getattr(self, item.name))
        total = self.fatal + self.permission_denied
        total += self.waiting_room_admitted + self.waiting_room_rejected
        if total > 1.0 + 1e-9:
            raise ConfigError("mix", f"fractions add up to {total:.3f}, more than 1")

    @classmethod
    def typical(cls) -> OutcomeMix:
        return cls(
            fatal=0.02,
            permission_denied=0.02,
            waiting_room_admitted=0.10,
            waiting_room_rejected=0.02,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Faults:
    """Injected failures, changeable at run time (``POST /_sim/faults``).

    Rates are fractions of requests; the ``*_seconds`` delays are real (network) time.
    """

    error_rate: float = 0.0
    error_after_create_rate: float = 0.0
    delayed_create_rate: float = 0.0
    delayed_create_seconds: float = 30.0
    latency_seconds: float = 0.0

    def __post_init__(self) -> None:
        _check_fraction("faults.error_rate", self.error_rate)
        _check_fraction("faults.error_after_create_rate", self.error_after_create_rate)
        _check_fraction("faults.delayed_create_rate", self.delayed_create_rate)
        _check_not_negative("faults.delayed_create_seconds", self.delayed_create_seconds)
        _check_not_negative("faults.latency_seconds", self.latency_seconds)


FAST_DURATIONS = Durations(
    pickup=timedelta(seconds=1),
    joining=timedelta(seconds=5),
    waiting_room=timedelta(seconds=10),
    waiting_room_timeout=timedelta(seconds=30),
    not_recording=timedelta(seconds=5),
    call=timedelta(seconds=75),
    call_ended=timedelta(seconds=5),
    processing=timedelta(seconds=20),
    retention=timedelta(minutes=10),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatorSettings:
    """Everything that shapes one simulator instance.

    ``api_keys`` empty accepts any well-formed key; ``credits=None`` is unlimited;
    ``seed`` makes ids, outcomes and fault draws reproducible.
    """

    rpm: int = 60
    api_keys: frozenset[str] = frozenset()
    revoked_keys: frozenset[str] = frozenset()
    expired_keys: frozenset[str] = frozenset()
    credits: int | None = None
    seed: int = 0
    default_workspace_id: str = "ws_default"
    list_shape: ListShape = "cursor"
    durations: Durations = field(default_factory=Durations)
    mix: OutcomeMix = field(default_factory=OutcomeMix.typical)
    faults: Faults = field(default_factory=Faults)

    def __post_init__(self) -> None:
        if self.rpm < 1:
            raise ConfigError("rpm", f"must be at least 1, got {self.rpm}")
        if self.credits is not None:
            _check_not_negative("credits", self.credits)
        if self.list_shape not in LIST_SHAPES:
            raise ConfigError("list_shape", f"must be one of {LIST_SHAPES}")

    @classmethod
    def fast(cls, **changes: Any) -> SimulatorSettings:
        """A demo preset: a normal bot runs its whole life in about two minutes."""
        return replace(cls(durations=FAST_DURATIONS), **changes)
