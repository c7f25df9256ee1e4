"""Every command fails in one line: a bad or unreachable database, a missing or read-only
file, an unmigrated schema, unreadable input. Exit 2 for bad input or configuration, 1
otherwise; never a traceback, never the database password."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Final

import pytest
from click.testing import CliRunner, Result

from service.cli import cli
from tests.acceptance.test_cli import SOON, meetings_file, row
from tests.fakes.feeds import Event, ics

PASSWORD: Final = "s3cretpw"
URL_FORMS: Final = "sqlite+aiosqlite:///path/to/file.db or postgresql+asyncpg://user@host/db"


def invoke(database_url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    environment: dict[str, str | None] = {
        "AUTOJOIN_DATABASE_URL": database_url,
        "AUTOJOIN_CONFIG": "",
        "MAVERA_API_KEY": None,
        **(env or {}),
    }
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


def assert_one_line(result: Result, exit_code: int, fragment: str) -> None:
    assert result.exit_code == exit_code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr
    assert PASSWORD not in result.stderr + result.stdout


def files(tmp_path: Path) -> tuple[str, str]:
    events = [Event(uid="e1", start=SOON, end=SOON.replace(hour=SOON.hour + 1), title="Sync")]
    ics_path = tmp_path / "team.ics"
    ics_path.write_bytes(ics(events))
    return str(meetings_file(tmp_path, [row(1)])), str(ics_path)


COMMANDS: Final[dict[str, Callable[[str, str], tuple[str, ...]]]] = {
    "migrate": lambda _json, _ics: ("migrate",),
    "run": lambda _json, _ics: ("run",),
    "import json": lambda json_file, _ics: ("import", json_file),
    "import ics": lambda _json, ics_file: ("import", ics_file),
    "meetings list": lambda _json, _ics: ("meetings", "list"),
    "meetings explain": lambda _json, _ics: ("meetings", "explain", "1"),
    "meetings override": lambda _json, _ics: ("meetings", "override", "1", "record"),
    "plan": lambda _json, _ics: ("plan",),
    "calendars add": lambda _json, ics_file: ("calendars", "add", "Team", "--file", ics_file),
    "calendars list": lambda _json, _ics: ("calendars", "list"),
    "calendars remove": lambda _json, _ics: ("calendars", "remove", "Team"),
    "calendars sync": lambda _json, _ics: ("calendars", "sync"),
    "preview": lambda _json, _ics: ("preview", "Team"),
}
# (database URL, exit code, what the line says); {tmp} is the test's directory.
FAILURES: Final = {
    "unparseable URL": ("not a url", 2, f"database.url: not a database URL (expected {URL_FORMS})"),
    "unknown dialect": ("foo://x/y", 2, "database.url: unsupported database 'foo'"),
    "missing driver": (
        f"mysql+aiomysql://u:{PASSWORD}@db.example/autojoin",
        2,
        "database.url: unsupported database 'mysql+aiomysql'",
    ),
    "sync driver": (
        f"postgresql://u:{PASSWORD}@127.0.0.1:1/autojoin",
        2,
        "database.url: unsupported database 'postgresql'",
    ),
    "in-memory": ("sqlite+aiosqlite://", 2, "an in-memory SQLite database keeps nothing"),
    "unreachable PostgreSQL": (
        f"postgresql+asyncpg://u:{PASSWORD}@127.0.0.1:1/autojoin",
        1,
        "error: database postgresql+asyncpg://u:***@127.0.0.1:1/autojoin: cannot connect: ",
    ),
    "missing directory": (
        "sqlite+aiosqlite:///{tmp}/gone/a.db",
        1,
        "error: database {tmp}/gone/a.db: the directory {tmp}/gone does not exist",
    ),
    "missing file": (
        "sqlite+aiosqlite:///{tmp}/none.db",
        1,
        "error: database {tmp}/none.db: the file does not exist; run `autojoin migrate`",
    ),
    "schema not at head": (
        "sqlite+aiosqlite:///{tmp}/empty.db",
        1,
        "database schema is at nothing, code expects",
    ),
}
# `migrate` is how those two are fixed: it creates the file, or upgrades the empty schema.
MIGRATE_FIXES: Final = {"missing file", "schema not at head"}
CASES: Final = [
    (command, failure)
    for command in COMMANDS
    for failure in FAILURES
    if not (command == "migrate" and failure in MIGRATE_FIXES)
]


@pytest.mark.parametrize(("command", "failure"), CASES)
def test_every_command_fails_in_one_line(tmp_path: Path, command: str, failure: str) -> None:
    url, code, fragment = FAILURES[failure]
    (tmp_path / "empty.db").write_bytes(b"")
    args = COMMANDS[command](*files(tmp_path))
    result = invoke(url.format(tmp=tmp_path), *args)
    assert_one_line(result, code, fragment.format(tmp=tmp_path))
    assert result.stdout == ""
    assert not (tmp_path / "none.db").exists()


def test_migrate_creates_a_missing_file_and_upgrades_an_empty_one(tmp_path: Path) -> None:
    (tmp_path / "empty.db").write_bytes(b"")
    for name in ("none.db", "empty.db"):
        result = invoke(f"sqlite+aiosqlite:///{tmp_path / name}", "migrate")
        assert (result.exit_code, result.stdout) == (0, "database schema is up to date\n")


@pytest.mark.parametrize(
    "command", ["import json", "import ics", "meetings override", "calendars add"]
)
def test_a_read_only_database_is_one_line_and_keeps_its_data(
    sqlite_template: Path, tmp_path: Path, command: str
) -> None:
    path = tmp_path / "autojoin.db"
    shutil.copy(sqlite_template, path)
    json_file, ics_file = files(tmp_path)
    assert invoke(f"sqlite+aiosqlite:///{path}", "import", json_file).exit_code == 0
    # Opened read-only: what a read-only file or directory does for a user other than root.
    read_only = f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"
    renamed = meetings_file(tmp_path, [row(1, title="Renamed")], "renamed.json")
    args = {
        "import json": ("import", str(renamed)),
        "import ics": ("import", ics_file),
        "meetings override": ("meetings", "override", "1", "skip"),
        "calendars add": ("calendars", "add", "Team", "--file", ics_file),
    }[command]
    result = invoke(read_only, *args)
    assert_one_line(result, 1, f"error: database file:{path}: attempt to write a readonly database")
    listed = json.loads(invoke(read_only, "meetings", "list", "--json").stdout)
    assert [(m["title"], m["wanted"]) for m in listed] == [("Review 1", True)]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "not a readable JSON file (nested too deeply)"),
        (b"\xff\xfe[]", "not UTF-8 text (byte 0)"),
        (b"[{", "not a readable JSON file (Expecting property name"),
        (b'{"title": "x"}', "file: expected a JSON array of meetings, got an object"),
        (b"[" + b"1," * 600 + b"1]", "larger than 1000 bytes (calendars.max_feed_bytes)"),
    ],
)
def test_an_unreadable_import_file_is_one_line_exit_2(
    database_url: str, tmp_path: Path, content: bytes, fragment: str
) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(content)
    env = {"AUTOJOIN_CALENDARS__MAX_FEED_BYTES": "1000"} if len(content) < 5000 else {}
    assert_one_line(invoke(database_url, "import", str(path), env=env), 2, fragment)
    assert json.loads(invoke(database_url, "meetings", "list", "--json").stdout) == []


TWO_CALENDARS: Final = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n" * 2


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not a calendar", "the data is not valid iCalendar text (ValueError)"),
        (TWO_CALENDARS, "the feed holds 2 top-level components, not one VCALENDAR"),
    ],
)
def test_a_bad_ics_file_is_one_line_exit_2_on_import_and_preview(
    database_url: str, tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "broken.ics"
    path.write_bytes(content)
    expected = f"error: {path}: {problem}"
    assert_one_line(invoke(database_url, "import", str(path)), 2, expected)
    assert_one_line(invoke(database_url, "preview", str(path)), 2, expected)


def test_debug_shows_the_traceback_only_when_asked() -> None:
    url = f"postgresql+asyncpg://u:{PASSWORD}@127.0.0.1:1/autojoin"
    result = invoke(url, "--debug", "meetings", "list")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.stderr.splitlines()[-1].startswith("error: database postgresql+asyncpg")
    by_level = invoke(url, "meetings", "list", env={"AUTOJOIN_LOGGING__LEVEL": "DEBUG"})
    assert "Traceback" in by_level.stderr
    assert "Traceback" not in invoke(url, "meetings", "list").stderr


@pytest.mark.parametrize("command", [("meetings", "list"), ("run",)])
def test_the_installed_command_prints_one_line_when_the_database_is_down(
    command: tuple[str, ...],
) -> None:
    url = f"postgresql+asyncpg://u:{PASSWORD}@127.0.0.1:1/autojoin"
    env = {**os.environ, "AUTOJOIN_DATABASE_URL": url, "AUTOJOIN_CONFIG": ""}
    done = subprocess.run(
        [sys.executable, "-m", "service", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "error: database postgresql+asyncpg://u:***@127.0.0.1:1/autojoin: cannot connect: "
        "Connect call failed ('127.0.0.1', 1)"
    ]


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("1700000000", "not an ISO 8601 date-time (e.g. 2026-11-24T09:00:00Z): '1700000000'"),
        ("2026-11-24T09:00:00", "needs a time zone offset (e.g. 2026-11-24T09:00:00Z)"),
        ("9999-12-31T23:59:59-01:00", "year 9999 is outside 2000-2100"),
    ],
)
def test_a_preview_window_bound_is_read_like_an_import_time(
    database_url: str, tmp_path: Path, value: str, problem: str
) -> None:
    _json, ics_file = files(tmp_path)
    result = invoke(database_url, "preview", ics_file, "--from", value)
    assert_one_line(result, 2, f"error: --from: {problem}")


@pytest.mark.parametrize("args", [("explain", "99999999999"), ("override", "0", "record")])
def test_a_meeting_id_the_store_cannot_hold_is_a_usage_error(
    database_url: str, args: tuple[str, ...]
) -> None:
    result = invoke(database_url, "meetings", *args)
    assert result.exit_code == 2
    assert "Invalid value for 'MEETING_ID'" in result.stderr
    assert "Traceback" not in result.stderr
