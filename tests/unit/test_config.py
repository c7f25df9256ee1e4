"""Settings: defaults, YAML values, AUTOJOIN_* overrides, and one-line errors naming the key."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

import pytest

from service.composition import feed_limits
from service.config import Settings, load_settings
from service.core.errors import ConfigError
from service.core.ics import FeedLimits
from service.core.planner import Policy

YAML = """\
mavera:
  requests_per_minute: 120
  timeout_seconds: 7.5
  api_key_file: /run/secrets/mavera
  workspace_id: ws_abc123
scheduler:
  join_lead_seconds: 90
  batch_size: 5
planner:
  policy: as_soon_as_known
  min_lead_seconds: 0
tracking:
  far_seconds: 900
  read_share: 0.25
logging:
  level: DEBUG
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path | None, environ: Mapping[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_defaults_without_a_file() -> None:
    settings = load_settings(None, {})
    assert settings.mavera.base_url == "https://app.mavera.io/api/v1"
    assert settings.mavera.requests_per_minute == 60
    assert settings.mavera.bot_name == "Mavera Notetaker"
    assert settings.mavera.request_timeout == timedelta(seconds=20)
    assert (settings.mavera.workspace_id, settings.mavera.api_key_file) == (None, None)
    assert settings.database.url == "sqlite+aiosqlite:///./autojoin.db"
    assert settings.scheduler.join_lead == timedelta(seconds=60)
    assert settings.planner.min_lead == timedelta(minutes=10)
    assert settings.planner.policy is Policy.JUST_IN_TIME
    assert settings.scheduler.batch_size == 20
    assert settings.tracking.far_interval == timedelta(minutes=30)
    assert settings.tracking.read_share == 0.3
    assert settings.logging.level == "INFO"
    assert settings.logging.alert_repeat == timedelta(minutes=5)


def test_an_empty_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, ""), {}) == load_settings(None, {})


def test_yaml_values_are_read_and_seconds_become_timedeltas(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, YAML), {})
    assert settings.mavera.requests_per_minute == 120
    assert settings.mavera.request_timeout == timedelta(seconds=7.5)
    assert settings.mavera.api_key_file == Path("/run/secrets/mavera")
    assert settings.mavera.workspace_id == "ws_abc123"
    assert settings.scheduler.join_lead == timedelta(seconds=90)
    assert settings.planner.min_lead == timedelta(0)
    assert settings.planner.policy is Policy.AS_SOON_AS_KNOWN
    assert settings.scheduler.batch_size == 5
    assert settings.tracking.far_interval == timedelta(seconds=900)
    assert settings.tracking.read_share == 0.25
    assert settings.logging.level == "DEBUG"
    assert settings.database == Settings().database


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("AUTOJOIN_SCHEDULER__JOIN_LEAD_SECONDS", "90", timedelta(seconds=90)),
        ("AUTOJOIN_SCHEDULER__JOIN_LEAD_SECONDS", "0", timedelta(0)),
        ("AUTOJOIN_SCHEDULER__JOIN_LEAD_SECONDS", "2.5", timedelta(seconds=2.5)),
        ("AUTOJOIN_SCHEDULER__JOIN_LEAD_SECONDS", " 90 ", timedelta(seconds=90)),
    ],
)
def test_env_overrides_a_duration_in_seconds(name: str, value: str, expected: timedelta) -> None:
    assert load_settings(None, {name: value}).scheduler.join_lead == expected


def test_env_overrides_win_over_the_file(tmp_path: Path) -> None:
    environ = {
        "AUTOJOIN_SCHEDULER__BATCH_SIZE": "7",
        "AUTOJOIN_TRACKING__READ_SHARE": "0.5",
        "AUTOJOIN_LOGGING__LEVEL": "WARNING",
        "AUTOJOIN_MAVERA__BOT_NAME": "Acme Recorder",
    }
    settings = load_settings(write(tmp_path, YAML), environ)
    assert settings.scheduler.batch_size == 7
    assert settings.tracking.read_share == 0.5
    assert settings.logging.level == "WARNING"
    assert settings.mavera.bot_name == "Acme Recorder"
    assert settings.mavera.requests_per_minute == 120


def test_database_url_and_mavera_base_url_have_their_own_variables() -> None:
    environ = {
        "AUTOJOIN_DATABASE_URL": "postgresql+asyncpg://autojoin@db/autojoin",
        "MAVERA_BASE_URL": "http://127.0.0.1:8081/api/v1",
    }
    settings = load_settings(None, environ)
    assert settings.database.url == "postgresql+asyncpg://autojoin@db/autojoin"
    assert settings.mavera.base_url == "http://127.0.0.1:8081/api/v1"


def test_unrelated_and_reserved_variables_are_ignored() -> None:
    environ = {"HOME": "/root", "AUTOJOIN_CONFIG": "/etc/autojoin.yaml", "MAVERA_API_KEY": "k"}
    assert load_settings(None, environ) == load_settings(None, {})


def test_an_unknown_key_in_the_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "scheduler:\n  bogus: 1\n")
    assert config_error(path, {}) == "config error: scheduler.bogus: unknown key"


def test_a_field_name_is_not_accepted_in_place_of_its_seconds_key(tmp_path: Path) -> None:
    path = write(tmp_path, "scheduler:\n  join_lead: 90\n")
    assert config_error(path, {}) == "config error: scheduler.join_lead: unknown key"


def test_an_unknown_section_in_the_file_is_named(tmp_path: Path) -> None:
    assert config_error(write(tmp_path, "bogus: {}\n"), {}) == "config error: bogus: unknown key"


def test_an_unknown_env_key_names_the_variable_and_the_key() -> None:
    message = config_error(None, {"AUTOJOIN_SCHEDULER__BOGUS": "1"})
    assert message == "config error: AUTOJOIN_SCHEDULER__BOGUS (scheduler.bogus): unknown key"


def test_an_unknown_env_section_names_the_variable() -> None:
    message = config_error(None, {"AUTOJOIN_BOGUS__KEY": "1"})
    assert message.startswith("config error: AUTOJOIN_BOGUS__KEY (bogus")
    assert message.endswith(": unknown key")


@pytest.mark.parametrize("name", ["AUTOJOIN_SCHEDULER", "AUTOJOIN_SCHEDULER__", "AUTOJOIN___X"])
def test_an_env_variable_not_shaped_like_a_key_is_refused(name: str) -> None:
    assert config_error(None, {name: "1"}) == (
        f"config error: {name}: expected AUTOJOIN_<SECTION>__<KEY>"
    )


def test_a_bad_value_in_the_file_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "mavera:\n  requests_per_minute: lots\n")
    assert config_error(path, {}) == (
        "config error: mavera.requests_per_minute: "
        "Input should be a valid integer, unable to parse string as an integer"
    )


def test_a_bad_value_from_the_environment_names_the_variable() -> None:
    message = config_error(None, {"AUTOJOIN_MAVERA__REQUESTS_PER_MINUTE": "lots"})
    assert message == (
        "config error: AUTOJOIN_MAVERA__REQUESTS_PER_MINUTE (mavera.requests_per_minute): "
        "Input should be a valid integer, unable to parse string as an integer"
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("-5", "Value error, must not be negative"),
        ("soon", "Input should be a valid timedelta, invalid digit in duration"),
    ],
)
def test_a_bad_duration_from_the_environment_names_the_variable(value: str, problem: str) -> None:
    message = config_error(None, {"AUTOJOIN_SCHEDULER__JOIN_LEAD_SECONDS": value})
    assert message == (
        "config error: AUTOJOIN_SCHEDULER__JOIN_LEAD_SECONDS (scheduler.join_lead_seconds): "
        f"{problem}"
    )


def test_a_file_error_is_not_blamed_on_a_variable_of_the_same_section(tmp_path: Path) -> None:
    path = write(tmp_path, "scheduler:\n  bogus: 1\n")
    environ = {"AUTOJOIN_SCHEDULER__BATCH_SIZE": "7"}
    assert config_error(path, environ) == "config error: scheduler.bogus: unknown key"


def test_a_value_out_of_range_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "tracking:\n  read_share: 1.5\n")
    assert config_error(path, {}) == (
        "config error: tracking.read_share: Input should be less than 1"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "scheduler:\n  join_lead_seconds: -5\n",
            "config error: scheduler.join_lead_seconds: Value error, must not be negative",
        ),
        (
            "tracking:\n  far_seconds: -1\n",
            "config error: tracking.far_seconds: Value error, must be greater than 0 seconds",
        ),
        (
            "scheduler:\n  tick_seconds: 0\n",
            "config error: scheduler.tick_seconds: Value error, must be greater than 0 seconds",
        ),
    ],
)
def test_a_negative_or_zero_duration_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    assert config_error(write(tmp_path, text), {}) == message


def test_bad_yaml_names_the_file_on_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "scheduler: [unclosed\n  tick_seconds: 5\n")
    assert config_error(path, {}).startswith(f"config error: {path}: not valid YAML: ")


@pytest.mark.parametrize("text", ["- scheduler\n- tracking\n", "just a string\n", "42\n"])
def test_the_top_level_must_be_a_mapping(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, text)
    assert config_error(path, {}) == (
        f"config error: {path}: the top level must be a mapping of sections"
    )


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    assert config_error(path, {}) == (
        f"config error: {path}: cannot read: No such file or directory"
    )


def test_the_shipped_config_yaml_is_valid_and_states_the_defaults() -> None:
    shipped = Path(__file__).resolve().parents[2] / "config.yaml"
    assert load_settings(shipped, {}) == Settings()


def test_a_lease_shorter_than_a_request_and_its_margins_is_refused() -> None:
    environ = {"AUTOJOIN_SCHEDULER__LEASE_SECONDS": "5", "AUTOJOIN_MAVERA__TIMEOUT_SECONDS": "60"}
    assert config_error(None, environ) == (
        "config error: scheduler.lease_seconds: must be at least mavera.timeout_seconds + 30 "
        "(= 90 here): a create's answer must be stored while its claim still holds"
    )


def test_the_shortest_lease_allowed_leaves_every_margin() -> None:
    settings = load_settings(
        None, {"AUTOJOIN_SCHEDULER__LEASE_SECONDS": "50", "AUTOJOIN_MAVERA__TIMEOUT_SECONDS": "20"}
    )
    # A create leaves at the latest send_margin before the lease ends; the client's whole
    # timeout and the write of the answer both fit inside that margin.
    assert settings.send_margin == timedelta(seconds=35)
    assert settings.scheduler.lease - settings.send_margin == timedelta(seconds=15)


def test_parse_workers_0_means_a_thread_and_is_accepted() -> None:
    settings = load_settings(None, {"AUTOJOIN_CALENDARS__PARSE_WORKERS": "0"})
    assert settings.calendars.parse_workers == 0


@pytest.mark.parametrize(
    ("name", "value", "problem"),
    [
        ("AUTOJOIN_CALENDARS__PARSE_WORKERS", "-1", "Input should be greater than or equal to 0"),
        ("AUTOJOIN_CALENDARS__PARSE_WORKERS", "65", "Input should be less than or equal to 64"),
        ("AUTOJOIN_SCHEDULER__BATCH_SIZE", "0", "Input should be greater than or equal to 1"),
        ("AUTOJOIN_MAVERA__REQUESTS_PER_MINUTE", "0", "Input should be greater than or equal to 1"),
        ("AUTOJOIN_CALENDARS__SYNC_DAYS", "0", "Input should be greater than or equal to 1"),
        ("AUTOJOIN_CALENDARS__MAX_REDIRECTS", "-1", "Input should be greater than or equal to 0"),
        ("AUTOJOIN_TRACKING__READ_SHARE", "0", "Input should be greater than 0"),
        # Stored in whole seconds: 0.5 became an interval of 0, polled on every tick.
        (
            "AUTOJOIN_CALENDARS__INTERVAL_SECONDS",
            "0.5",
            "Value error, must be between 60 and 86400 seconds",
        ),
        (
            "AUTOJOIN_CALENDARS__INTERVAL_SECONDS",
            "59",
            "Value error, must be between 60 and 86400 seconds",
        ),
        (
            "AUTOJOIN_CALENDARS__INTERVAL_SECONDS",
            "86401",
            "Value error, must be between 60 and 86400 seconds",
        ),
        ("AUTOJOIN_PLANNER__INTERVAL_SECONDS", "0", "Value error, must be greater than 0 seconds"),
        (
            "AUTOJOIN_TRACKING__TICK_SECONDS",
            "0.0000001",
            "Value error, must be greater than 0 seconds",
        ),
        # Added to "now", 1e12 seconds (31,700 years) overflowed a datetime on every tick.
        (
            "AUTOJOIN_TRACKING__FAR_SECONDS",
            "1e12",
            "Value error, must be at most 31622400 seconds (366 days)",
        ),
        (
            "AUTOJOIN_SCHEDULER__FREEZE_SECONDS",
            "31622401",
            "Value error, must be at most 31622400 seconds (366 days)",
        ),
    ],
)
def test_a_count_or_duration_that_could_be_zero_or_overflow_names_the_variable(
    name: str, value: str, problem: str
) -> None:
    message = config_error(None, {name: value})
    key = name.removeprefix("AUTOJOIN_").lower().replace("__", ".")
    assert message == f"config error: {name} ({key}): {problem}"


def test_the_longest_durations_allowed_are_accepted() -> None:
    settings = load_settings(
        None,
        {
            "AUTOJOIN_CALENDARS__INTERVAL_SECONDS": "86400",
            "AUTOJOIN_TRACKING__GIVE_UP_AFTER_SECONDS": "31622400",
        },
    )
    assert settings.calendars.interval == timedelta(days=1)
    assert settings.tracking.give_up_after == timedelta(days=366)


def test_the_feed_limits_default_to_the_parsers_defaults() -> None:
    assert feed_limits(Settings()) == FeedLimits()


def test_the_feed_limits_come_from_the_calendars_section(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "calendars:\n  max_feed_lines: 5000\n  max_feed_events: 100\n"
        "  max_feed_repetitions: 9000\n  max_feed_occurrences: 300\n"
        "  max_event_repetitions: 2000\n",
    )
    environ = {"AUTOJOIN_CALENDARS__MAX_EVENT_OCCURRENCES": "20"}
    assert feed_limits(load_settings(path, environ)) == FeedLimits(
        max_lines=5000,
        max_events=100,
        max_repetitions=9000,
        max_occurrences=300,
        max_event_repetitions=2000,
        max_event_occurrences=20,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "calendars:\n  max_feed_events: 0\n",
            "calendars.max_feed_events: Input should be greater than or equal to 1",
        ),
        (
            "calendars:\n  max_feed_lines: 10\n",
            "calendars.max_feed_lines: Input should be greater than or equal to 1000",
        ),
        (
            "calendars:\n  max_event_occurrences: 60000\n",
            "calendars: Value error, max_event_occurrences must not exceed max_feed_occurrences",
        ),
        (
            "calendars:\n  max_feed_repetitions: 10000\n",
            "calendars: Value error, max_event_repetitions must not exceed max_feed_repetitions",
        ),
    ],
)
def test_a_feed_limit_out_of_range_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    assert config_error(write(tmp_path, text), {}) == f"config error: {message}"
