"""The Mavera API key: loaded from env or a file by precedence, and never shown when printed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pytest

from service.core.errors import ConfigError
from service.credentials import ApiKey, load_api_key

SECRET = "mvra_live_0123456789abcdef0123456789abcdef"
OTHER = "mvra_live_fedcba9876543210fedcba9876543210"


@dataclass(frozen=True)
class Holder:
    key: ApiKey


def write_key(tmp_path: Path, text: str | bytes, name: str = "key") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_reveal_gives_the_key_without_surrounding_whitespace() -> None:
    assert ApiKey(f"  {SECRET}\n").reveal() == SECRET


@pytest.mark.parametrize("value", ["", "   \n", "mvra_live_abc def"])
def test_an_empty_or_spaced_key_is_refused_without_echoing_it(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ApiKey(value)
    assert str(caught.value) == (
        "config error: MAVERA_API_KEY: the API key is empty or contains whitespace"
    )


def test_printing_the_key_in_any_way_hides_it() -> None:
    key = ApiKey(SECRET)
    shown = [
        repr(key),
        str(key),
        f"{key}",
        f"{key!r}",
        f"{key!s}",
        "%s" % key,  # noqa: UP031 - the %-operator is what is being tested
        "%r" % (key,),  # noqa: UP031
        "{}".format(key),  # noqa: UP032
        format(key),
    ]
    assert shown == ["ApiKey(<redacted>)"] * len(shown)


def test_containers_holding_the_key_hide_it() -> None:
    key = ApiKey(SECRET)
    shown = [
        repr([key]),
        str((key, "x")),
        f"{ {'token': key} }",
        str({key}),
        repr(Holder(key=key)),
        "%s" % ([key],),  # noqa: UP031
    ]
    assert all(SECRET not in text and "redacted" in text for text in shown), shown


def test_logging_the_key_hides_it(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("using %s and %r", ApiKey(SECRET), [ApiKey(SECRET)])
    assert caplog.records[0].getMessage() == "using ApiKey(<redacted>) and [ApiKey(<redacted>)]"


def test_keys_compare_by_value() -> None:
    assert ApiKey(SECRET) == ApiKey(f"{SECRET}\n")
    assert ApiKey(SECRET) != ApiKey(OTHER)
    assert ApiKey(SECRET) != SECRET
    assert len({ApiKey(SECRET), ApiKey(SECRET)}) == 1


def test_the_key_variable_wins_over_every_file(tmp_path: Path) -> None:
    env_file = write_key(tmp_path, OTHER, "env-file")
    configured = write_key(tmp_path, OTHER, "configured")
    environ = {"MAVERA_API_KEY": SECRET, "MAVERA_API_KEY_FILE": str(env_file)}
    assert load_api_key(environ, configured) == ApiKey(SECRET)


def test_the_file_variable_wins_over_the_configured_file(tmp_path: Path) -> None:
    env_file = write_key(tmp_path, f"{SECRET}\n", "env-file")
    configured = write_key(tmp_path, OTHER, "configured")
    assert load_api_key({"MAVERA_API_KEY_FILE": str(env_file)}, configured) == ApiKey(SECRET)


def test_the_configured_file_is_used_when_the_environment_has_nothing(tmp_path: Path) -> None:
    configured = write_key(tmp_path, f"{SECRET}\n", "configured")
    environ = {"MAVERA_API_KEY": "", "MAVERA_API_KEY_FILE": ""}
    assert load_api_key(environ, configured) == ApiKey(SECRET)


def test_no_key_anywhere_gives_none() -> None:
    assert load_api_key({}, None) is None


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "absent"
    with pytest.raises(ConfigError) as caught:
        load_api_key({}, path)
    assert str(caught.value) == (
        f"config error: {path}: cannot read the API key file: No such file or directory"
    )


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_api_key({"MAVERA_API_KEY_FILE": str(tmp_path)}, None)
    assert str(caught.value) == (
        "config error: MAVERA_API_KEY_FILE: cannot read the API key file: Is a directory"
    )


def test_a_key_pasted_as_the_file_variable_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        load_api_key({"MAVERA_API_KEY_FILE": SECRET}, None)
    assert SECRET not in str(caught.value)
    assert str(caught.value).startswith("config error: MAVERA_API_KEY_FILE: cannot read")


def test_a_key_file_that_is_not_utf8_is_a_config_error_without_the_key(tmp_path: Path) -> None:
    path = write_key(tmp_path, SECRET.encode() + b"\xff\n")
    with pytest.raises(ConfigError) as caught:
        load_api_key({}, path)
    assert str(path) in str(caught.value)
    assert "mvra_live" not in str(caught.value)


def test_a_spaced_key_in_a_file_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = write_key(tmp_path, "mvra_live_abc def\n")
    with pytest.raises(ConfigError) as caught:
        load_api_key({}, path)
    assert "abc" not in str(caught.value)
