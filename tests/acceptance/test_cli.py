"""The command line: import, list, and clear one-line errors that change nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from service.cli import cli
from service.core.timestamps import utc_iso
from tests.fakes.feeds import Event, ics

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)


def meetings_file(tmp_path: Path, rows: list[dict[str, Any]], name: str = "m.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(rows), encoding="utf-8")
    return path


def row(i: int, **changes: Any) -> dict[str, Any]:
    base = {
        "title": f"Review {i}",
        "meeting_url": f"https://acme.zoom.us/j/8123456{i:04d}?pwd=abc&utm=x",
        "start": utc_iso(SOON + timedelta(hours=i)),
        "end": utc_iso(SOON + timedelta(hours=i, minutes=30)),
        "organizer": "jane@acme.example",
        "attendees": ["jane@acme.example", "sam@globex.example"],
        "uid": f"evt-{i}",
    }
    return {**base, **changes}


def invoke(database_url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    environment = {"AUTOJOIN_DATABASE_URL": database_url, "AUTOJOIN_CONFIG": "", **(env or {})}
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


def listed(database_url: str) -> list[dict[str, Any]]:
    result = invoke(database_url, "meetings", "list", "--json")
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    return rows


def test_import_is_idempotent_and_updates_in_place(database_url: str, tmp_path: Path) -> None:
    path = meetings_file(tmp_path, [row(1), row(2), row(3)])
    assert invoke(database_url, "import", str(path)).stdout.strip() == (
        "3 added, 0 updated, 0 unchanged"
    )
    assert invoke(database_url, "import", str(path)).stdout.strip() == (
        "0 added, 0 updated, 3 unchanged"
    )
    renamed = meetings_file(tmp_path, [row(1), row(2, title="Renamed"), row(3)], "n.json")
    assert invoke(database_url, "import", str(renamed)).stdout.strip() == (
        "0 added, 1 updated, 2 unchanged"
    )
    assert [m["title"] for m in listed(database_url)] == ["Review 1", "Renamed", "Review 3"]


def test_list_json_shows_the_dispatch_plan(database_url: str, tmp_path: Path) -> None:
    invoke(database_url, "import", str(meetings_file(tmp_path, [row(1)])))
    [meeting] = listed(database_url)
    assert meeting["title"] == "Review 1"
    assert meeting["meeting_url"] == "https://acme.zoom.us/j/81234560001?pwd=…"
    assert meeting["platform"] == "zoom"
    assert meeting["start"] == utc_iso(SOON + timedelta(hours=1))
    assert meeting["join_at"] == utc_iso(SOON + timedelta(hours=1, seconds=-60))
    assert (meeting["state"], meeting["bot_id"], meeting["bot_status"]) == ("waiting", None, None)


def test_a_meeting_passcode_is_never_shown(database_url: str, tmp_path: Path) -> None:
    link = "https://acme.zoom.us/j/81234567890?pwd=SECRETPASS"
    keyed_by_link = {k: v for k, v in row(1, meeting_url=link).items() if k != "uid"}
    first = [keyed_by_link, row(2, meeting_url=link.replace("SECRETPASS", "FIRSTPASS"))]
    moved = [keyed_by_link, row(2, meeting_url=link.replace("SECRETPASS", "OTHERPASS"))]
    for rows, name in ((first, "a.json"), (moved, "b.json")):
        imported = invoke(database_url, "import", str(meetings_file(tmp_path, rows, name)))
        assert imported.exit_code == 0, imported.stderr
    meetings = listed(database_url)
    assert [m["meeting_url"] for m in meetings] == ["https://acme.zoom.us/j/81234567890?pwd=…"] * 2
    shown = [json.dumps(meetings)]
    for meeting in meetings:
        shown.append(invoke(database_url, "meetings", "explain", str(meeting["id"])).stdout)
        shown.append(
            invoke(database_url, "meetings", "explain", str(meeting["id"]), "--json").stdout
        )
    assert "meeting_url: https://acme.zoom.us/j/81234567890?pwd=… -> " in shown[-2]
    assert "acme.zoom.us/j/81234567890?pwd=…" in shown[1]
    for secret in ("SECRETPASS", "FIRSTPASS", "OTHERPASS"):
        assert secret not in "".join(shown)


def test_list_table_has_a_header_and_a_line_per_meeting(database_url: str, tmp_path: Path) -> None:
    invoke(database_url, "import", str(meetings_file(tmp_path, [row(1), row(2)])))
    lines = invoke(database_url, "meetings", "list").stdout.splitlines()
    assert lines[0].split() == ["ID", "START", "JOIN_AT", "STATE", "BOT_STATUS", "BOT_ID", "TITLE"]
    assert [line.split()[3] for line in lines[1:]] == ["waiting", "waiting"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            row(2, meeting_url="https://evilzoom.us/j/81234567890"),
            "row 2 (uid 'evt-2'): meeting_url: ",
        ),
        (row(2, start="2026-11-30T09:00:00"), "row 2 (uid 'evt-2'): start: "),
        (row(2, start=12345), "row 2 (uid 'evt-2'): start: must be an ISO 8601 date-time string"),
        (row(2, start="1700000000"), "row 2 (uid 'evt-2'): start: not an ISO 8601 date-time"),
        (row(2, end=utc_iso(SOON)), "row 2 (uid 'evt-2'): end: must be after start"),
        ({**row(2), "colour": "red"}, "row 2 (uid 'evt-2'): colour: unknown field"),
        (
            {k: v for k, v in row(2).items() if k != "title"},
            "row 2 (uid 'evt-2'): title: Field required",
        ),
        ([row(2)], "row 2: expected a JSON object, got an array"),
    ],
)
def test_a_bad_row_is_named_and_nothing_changes(
    database_url: str, tmp_path: Path, bad: Any, message: str
) -> None:
    invoke(database_url, "import", str(meetings_file(tmp_path, [row(1)], "ok.json")))
    before = listed(database_url)
    result = invoke(database_url, "import", str(meetings_file(tmp_path, [row(1, title="X"), bad])))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert listed(database_url) == before


def test_a_file_that_is_not_json_is_refused(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("[{", encoding="utf-8")
    result = invoke(database_url, "import", str(path))
    assert result.exit_code == 2
    assert "not a readable JSON file" in result.stderr


def test_a_bad_config_value_names_its_variable(database_url: str) -> None:
    result = invoke(
        database_url, "meetings", "list", env={"AUTOJOIN_SCHEDULER__JOIN_LEAD_SECONDS": "soon"}
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: config error: AUTOJOIN_SCHEDULER__JOIN_LEAD_SECONDS (scheduler.join_lead_seconds)"
    )


def test_an_unmigrated_database_is_refused_with_advice(tmp_path: Path) -> None:
    result = invoke(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", "meetings", "list")
    assert result.exit_code == 1
    assert "run `autojoin migrate`" in result.stderr


def test_migrate_then_list_on_a_fresh_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    assert invoke(url, "migrate").stdout.strip() == "database schema is up to date"
    assert listed(url) == []


def test_python_dash_m_runs_the_same_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "service", "--help"], capture_output=True, text=True, check=True
    )
    for command in ("migrate", "run", "import", "meetings", "simulate"):
        assert command in done.stdout


def test_plan_says_every_bot_is_on_time_when_the_budget_allows(
    database_url: str, tmp_path: Path
) -> None:
    invoke(database_url, "import", str(meetings_file(tmp_path, [row(1), row(2)])))
    result = invoke(database_url, "plan")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2 meetings waiting; 42 creates/min (just_in_time)")
    assert lines[1] == "every bot will be booked before its deadline"


def test_plan_names_the_meetings_that_will_be_late(database_url: str, tmp_path: Path) -> None:
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=3)
    rows = [
        row(i, start=utc_iso(soon), end=utc_iso(soon + timedelta(minutes=30))) for i in range(5)
    ]
    invoke(database_url, "import", str(meetings_file(tmp_path, rows)))
    env = {"AUTOJOIN_MAVERA__REQUESTS_PER_MINUTE": "1"}
    result = invoke(database_url, "plan", "--json", env=env)
    report = json.loads(result.stdout)
    assert (report["waiting"], report["creates_per_minute"]) == (5, 1)
    # One create a minute, the first now: the later ones miss a deadline 90 s away.
    assert report["late_count"] == 3
    assert [late["title"] for late in report["late"]] == ["Review 4", "Review 3", "Review 2"]
    assert report["late"][0]["late_by_seconds"] > report["late"][-1]["late_by_seconds"] > 0


def ics_file(tmp_path: Path, count: int, name: str = "big.ics") -> Path:
    events = [
        Event(uid=f"evt-{i}", start=SOON + timedelta(hours=i), end=SOON + timedelta(hours=i + 1))
        for i in range(count)
    ]
    path = tmp_path / name
    path.write_bytes(ics(events))
    return path


@pytest.mark.parametrize("kind", ["json", "ics"])
def test_import_refuses_a_file_over_the_feed_size_limit_and_changes_nothing(
    database_url: str, tmp_path: Path, kind: str
) -> None:
    invoke(database_url, "import", str(meetings_file(tmp_path, [row(1)], "ok.json")))
    before = listed(database_url)
    if kind == "json":
        path = meetings_file(tmp_path, [row(i) for i in range(2, 9)], "big.json")
    else:
        path = ics_file(tmp_path, 4)
    assert path.stat().st_size > 1_000
    result = invoke(
        database_url, "import", str(path), env={"AUTOJOIN_CALENDARS__MAX_FEED_BYTES": "1000"}
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}: the file is larger than 1000 bytes (calendars.max_feed_bytes)\n"
    )
    assert listed(database_url) == before


def test_import_accepts_a_file_of_exactly_the_feed_size_limit(
    database_url: str, tmp_path: Path
) -> None:
    path = ics_file(tmp_path, 4)
    limit = {"AUTOJOIN_CALENDARS__MAX_FEED_BYTES": str(path.stat().st_size)}
    result = invoke(database_url, "import", str(path), env=limit)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "4 added, 0 updated, 0 unchanged"


def test_import_of_an_ics_file_over_a_feed_limit_is_bad_input(
    database_url: str, tmp_path: Path
) -> None:
    path = ics_file(tmp_path, 3)
    result = invoke(
        database_url, "import", str(path), env={"AUTOJOIN_CALENDARS__MAX_FEED_EVENTS": "2"}
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}: the feed holds more than 2 events (calendars.max_feed_events)\n"
    )
    assert listed(database_url) == []
