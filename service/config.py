"""Settings: the frozen configuration tree, loaded from config.yaml and the environment."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from service.core.errors import ConfigError
from service.core.planner import Policy
from service.core.rules import RecordingRules

ENV_PREFIX = "AUTOJOIN_"
# Variables with their own meaning; every other AUTOJOIN_* variable must name a config key.
ENV_SHORTCUTS: Mapping[str, tuple[str, str]] = {
    "AUTOJOIN_DATABASE_URL": ("database", "url"),
    "MAVERA_BASE_URL": ("mavera", "base_url"),
}
ENV_RESERVED = frozenset({"AUTOJOIN_CONFIG", "AUTOJOIN_DATABASE_URL"})
# A create's answer must be stored while its claim holds: the client may take the request
# timeout plus this long to give up, and the store needs this long to write the answer.
CLIENT_SLACK = timedelta(seconds=5)
WRITE_MARGIN = timedelta(seconds=10)
# Time a claim leaves for the create to wait for a free slot in the request budget.
MIN_SEND_WINDOW = timedelta(seconds=15)


# Every duration stays below this: added to "now", a longer one can overflow a datetime.
LONGEST = timedelta(days=366)


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("must be greater than 0 seconds")
    return _not_too_long(value)


def _not_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise ValueError("must not be negative")
    return _not_too_long(value)


def _not_too_long(value: timedelta) -> timedelta:
    if value > LONGEST:
        raise ValueError(f"must be at most {LONGEST.total_seconds():.0f} seconds (366 days)")
    return value


def _poll_interval(value: timedelta) -> timedelta:
    # Stored in whole seconds, and bounded like `calendars add --interval`.
    if not timedelta(minutes=1) <= value <= timedelta(days=1):
        raise ValueError("must be between 60 and 86400 seconds")
    return value


def _seconds(value: object) -> object:
    # YAML gives numbers, the environment gives strings: both mean seconds.
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return value
    return value


Seconds = Annotated[timedelta, BeforeValidator(_seconds), AfterValidator(_positive)]
SecondsOrZero = Annotated[timedelta, BeforeValidator(_seconds), AfterValidator(_not_negative)]
PollInterval = Annotated[timedelta, BeforeValidator(_seconds), AfterValidator(_poll_interval)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MaveraSettings(Section):
    base_url: str = "https://app.mavera.io/api/v1"
    requests_per_minute: int = Field(default=60, ge=1, le=100_000)
    bot_name: str = Field(default="Mavera Notetaker", min_length=1, max_length=100)
    workspace_id: str | None = None
    request_timeout: Seconds = Field(default=timedelta(seconds=20), alias="timeout_seconds")
    api_key_file: Path | None = None


class DatabaseSettings(Section):
    # The URL may hold the database password: it stays out of every repr of the settings.
    url: str = Field(default="sqlite+aiosqlite:///./autojoin.db", repr=False)


class SchedulerSettings(Section):
    join_lead: SecondsOrZero = Field(default=timedelta(seconds=60), alias="join_lead_seconds")
    tick: Seconds = Field(default=timedelta(seconds=5), alias="tick_seconds")
    timer_window: Seconds = Field(default=timedelta(minutes=5), alias="timer_window_seconds")
    lease: Seconds = Field(default=timedelta(seconds=90), alias="lease_seconds")
    freeze: SecondsOrZero = Field(default=timedelta(minutes=5), alias="freeze_seconds")
    batch_size: int = Field(default=20, ge=1, le=1000)
    worker_id: str | None = None


class PlannerSettings(Section):
    policy: Policy = Policy.JUST_IN_TIME
    min_lead: SecondsOrZero = Field(default=timedelta(minutes=10), alias="min_lead_seconds")
    deadline_margin: SecondsOrZero = Field(
        default=timedelta(seconds=30), alias="deadline_margin_seconds"
    )
    interval: Seconds = Field(default=timedelta(seconds=30), alias="interval_seconds")


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (use an IANA name such as Europe/Berlin)"
        ) from None
    return name


class CalendarSettings(Section):
    interval: PollInterval = Field(default=timedelta(minutes=5), alias="interval_seconds")
    past_days: int = Field(default=1, ge=0, le=30)
    sync_days: int = Field(default=28, ge=1, le=366)
    fallback_zone: Annotated[str, AfterValidator(_zone)] = "UTC"
    allow_private_addresses: bool = False
    max_feed_bytes: int = Field(default=20_000_000, ge=1_000, le=500_000_000)
    # What one feed may cost to read (calendars are untrusted input; see config.yaml).
    max_feed_lines: int = Field(default=1_000_000, ge=1_000, le=100_000_000)
    max_feed_events: int = Field(default=50_000, ge=1, le=10_000_000)
    max_feed_repetitions: int = Field(default=3_000_000, ge=1_000, le=1_000_000_000)
    max_feed_occurrences: int = Field(default=50_000, ge=1, le=10_000_000)
    max_event_repetitions: int = Field(default=50_000, ge=1_000, le=100_000_000)
    max_event_occurrences: int = Field(default=5_000, ge=1, le=1_000_000)
    fetch_timeout: Seconds = Field(default=timedelta(seconds=30), alias="fetch_timeout_seconds")
    max_redirects: int = Field(default=3, ge=0, le=10)
    # Processes that parse feeds (0: a thread of the daemon's own process, one feed at a time).
    parse_workers: int = Field(default=2, ge=0, le=64)

    @model_validator(mode="after")
    def _event_within_feed(self) -> CalendarSettings:
        for kind in ("repetitions", "occurrences"):
            if getattr(self, f"max_event_{kind}") > getattr(self, f"max_feed_{kind}"):
                raise ValueError(f"max_event_{kind} must not exceed max_feed_{kind}")
        return self


class TrackingSettings(Section):
    tick: Seconds = Field(default=timedelta(seconds=5), alias="tick_seconds")
    in_call_interval: Seconds = Field(default=timedelta(seconds=10), alias="in_call_seconds")
    near_join_interval: Seconds = Field(default=timedelta(seconds=30), alias="near_join_seconds")
    far_interval: Seconds = Field(default=timedelta(minutes=30), alias="far_seconds")
    processing_interval: Seconds = Field(default=timedelta(minutes=1), alias="processing_seconds")
    give_up_after: Seconds = Field(default=timedelta(hours=6), alias="give_up_after_seconds")
    read_share: float = Field(default=0.3, gt=0, lt=1)


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # A lasting failure (Mavera unreachable, database down) is logged when it starts, then at
    # most this often while it lasts, then once when it clears.
    alert_repeat: Seconds = Field(default=timedelta(minutes=5), alias="alert_repeat_seconds")


class Settings(Section):
    mavera: MaveraSettings = MaveraSettings()
    database: DatabaseSettings = DatabaseSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    planner: PlannerSettings = PlannerSettings()
    calendars: CalendarSettings = CalendarSettings()
    rules: RecordingRules = RecordingRules()
    tracking: TrackingSettings = TrackingSettings()
    logging: LoggingSettings = LoggingSettings()

    @property
    def send_margin(self) -> timedelta:
        """How long before its claim's lease ends a create must have left."""
        return self.mavera.request_timeout + CLIENT_SLACK + WRITE_MARGIN


def load_settings(path: Path | None, environ: Mapping[str, str]) -> Settings:
    """Read ``path`` (if any), apply environment overrides, validate; raise ConfigError."""
    raw = _read_yaml(path) if path is not None else {}
    origins: dict[tuple[str, ...], str] = {}
    for name, value in environ.items():
        key = _env_key(name)
        if key is not None:
            _set(raw, key, value)
            origins[key] = name
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        raise _config_error(exc, origins) from None
    _check_lease(settings)
    return settings


def _check_lease(settings: Settings) -> None:
    shortest = settings.send_margin + MIN_SEND_WINDOW
    if settings.scheduler.lease < shortest:
        extra = (shortest - settings.mavera.request_timeout).total_seconds()
        raise ConfigError(
            "scheduler.lease_seconds",
            f"must be at least mavera.timeout_seconds + {extra:g} "
            f"(= {shortest.total_seconds():g} here): a create's answer must be stored "
            "while its claim still holds",
        )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), f"not valid YAML: {exc}".replace("\n", " ")) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "the top level must be a mapping of sections")
    return data


def _env_key(name: str) -> tuple[str, ...] | None:
    if name in ENV_SHORTCUTS:
        return ENV_SHORTCUTS[name]
    if not name.startswith(ENV_PREFIX) or name in ENV_RESERVED:
        return None
    parts = tuple(part.lower() for part in name[len(ENV_PREFIX) :].split("__"))
    if len(parts) < 2 or not all(parts):
        raise ConfigError(name, "expected AUTOJOIN_<SECTION>__<KEY>")
    return parts


def _set(tree: dict[str, Any], key: tuple[str, ...], value: str) -> None:
    node = tree
    for part in key[:-1]:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ConfigError(".".join(key), f"{part} is not a section")
        node = child
    node[key[-1]] = value


def _config_error(exc: ValidationError, origins: Mapping[tuple[str, ...], str]) -> ConfigError:
    first = exc.errors()[0]
    key = tuple(str(part) for part in first["loc"])
    dotted = ".".join(key)
    # An unknown section is reported at the section; name the variable that created it.
    source = next((name for k, name in origins.items() if k[: len(key)] == key), None)
    where = f"{source} ({dotted})" if source else dotted
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    return ConfigError(where, message)
