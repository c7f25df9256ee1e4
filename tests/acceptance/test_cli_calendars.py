"""The calendar commands: add/list (masked), sync, remove, preview, explain and override."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from service.cli import cli
from service.core.redaction import fingerprint
from tests.fakes.feeds import Event, ics

SOON = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
SECRET_URL = (
    "https://calendar.google.com/calendar/ical/team%40acme.com/private-0a1b2c3d4e5f/basic.ics"
)
# iCloud-style: the token is the last path segment.
ICLOUD_HOST = "p123-caldav.icloud.com"
ICLOUD_URL = f"https://{ICLOUD_HOST}/published/2/MTIzNDU2Nzg5MFNFQ1JFVA?token=qs3cr3t"
ODD = "the feed URL contains spaces, control characters or backslashes"


def invoke(database_url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    environment = {"AUTOJOIN_DATABASE_URL": database_url, "AUTOJOIN_CONFIG": "", **(env or {})}
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


def calendar_file(tmp_path: Path, events: list[Event], name: str = "team.ics") -> Path:
    path = tmp_path / name
    path.write_bytes(ics(events))
    return path


def events() -> list[Event]:
    return [
        Event(uid="standup", start=SOON, end=SOON + timedelta(minutes=15), title="Standup"),
        Event(
            uid="one-on-one",
            start=SOON + timedelta(hours=1),
            end=SOON + timedelta(hours=2),
            title="1:1 with Sam",
            url="https://meet.google.com/abc-defg-hij",
        ),
        Event(
            uid="offsite",
            start=SOON + timedelta(hours=3),
            end=SOON + timedelta(hours=4),
            title="Offsite",
            url=None,
        ),
        Event(
            uid="dropped",
            start=SOON + timedelta(hours=5),
            end=SOON + timedelta(hours=6),
            title="Dropped",
            status="CANCELLED",
        ),
    ]


def test_a_feed_url_is_shown_as_scheme_host_and_fingerprint(
    database_url: str, tmp_path: Path
) -> None:
    shown = {
        url: f"https://{host}/… (#{fingerprint(url)})"
        for url, host in ((SECRET_URL, "calendar.google.com"), (ICLOUD_URL, ICLOUD_HOST))
    }
    outputs = []
    for name, url in (("Team", SECRET_URL), ("Home", ICLOUD_URL)):
        added = invoke(database_url, "calendars", "add", name, "--url", url)
        assert added.exit_code == 0, added.stderr
        assert added.stdout.strip() == f"calendar {name!r} added: {shown[url]}"
        outputs.append(added.stdout)
    path = calendar_file(tmp_path, events())
    assert invoke(database_url, "calendars", "add", "File", "--file", str(path)).exit_code == 0
    listing = invoke(database_url, "calendars", "list", "--json").stdout
    locations = {row["name"]: row["location"] for row in json.loads(listing)}
    assert locations == {"Team": shown[SECRET_URL], "Home": shown[ICLOUD_URL], "File": str(path)}
    everything = "".join([*outputs, listing, invoke(database_url, "calendars", "list").stdout])
    for secret in ("private-0a1b2c3d4e5f", "basic.ics", "MTIzNDU2Nzg5MFNFQ1JFVA", "qs3cr3t"):
        assert secret not in everything


def test_malformed_feed_urls_are_refused_in_one_line(database_url: str) -> None:
    for url, message in [
        ("https://[::1", "the feed URL is not a valid URL"),
        ("https://calendar.example:99999/a.ics", "the feed URL has an invalid port"),
        ("https://2130706433/a.ics", "the feed URL has a non-canonical numeric host"),
        ("https://%zz/a.ics", "the feed URL's host is not a valid host name"),
        ("https://calendar.example/a b.ics", ODD),
        ("", "feed URLs must use https"),
        ("https://calendar.example/" + "a" * 3000, "the feed URL is longer than 2048 characters"),
    ]:
        result = invoke(database_url, "calendars", "add", "X", "--url", url)
        assert (result.exit_code, result.stderr) == (2, f"error: --url: {message}\n")
    assert json.loads(invoke(database_url, "calendars", "list", "--json").stdout) == []


def test_unsafe_feed_urls_are_refused(database_url: str) -> None:
    for url, message in [
        ("http://calendar.example.com/a.ics", "feed URLs must use https"),
        ("https://127.0.0.1/a.ics", "the feed URL points at a private or local address"),
        ("https://[::1]/a.ics", "the feed URL points at a private or local address"),
        ("https://user:pw@example.com/a.ics", "feed URLs must not carry a user name or password"),
    ]:
        result = invoke(database_url, "calendars", "add", "X", "--url", url)
        assert result.exit_code == 2
        assert result.stderr.strip() == f"error: --url: {message}"
    assert json.loads(invoke(database_url, "calendars", "list", "--json").stdout) == []


def test_a_calendar_file_syncs_and_can_be_removed(database_url: str, tmp_path: Path) -> None:
    path = calendar_file(tmp_path, events())
    env = {"AUTOJOIN_RULES__SKIP_TITLE_KEYWORDS": "1:1"}
    assert invoke(database_url, "calendars", "add", "Team", "--file", str(path)).exit_code == 0
    synced = invoke(database_url, "calendars", "sync", env=env)
    assert synced.exit_code == 0, synced.stderr
    assert synced.stdout.splitlines()[1].split()[:6] == ["Team", "ok", "4", "3", "2", "0"]
    meetings = json.loads(invoke(database_url, "meetings", "list", "--json").stdout)
    assert [(m["title"], m["state"], m["reason"]) for m in meetings] == [
        ("Standup", "waiting", None),
        ("1:1 with Sam", "skipped", "title_keyword"),
    ]
    removed = invoke(database_url, "calendars", "remove", "Team")
    assert removed.stdout.strip() == "calendar 'Team' removed (2 meetings lost this source)"
    after = json.loads(invoke(database_url, "meetings", "list", "--json").stdout)
    assert [(m["state"], m["reason"]) for m in after] == [("skipped", "vanished")] * 2


@pytest.mark.timeout(20)  # with a Semaphore(0) the sync used to wait forever
def test_calendars_sync_finishes_with_parse_workers_0(database_url: str, tmp_path: Path) -> None:
    path = calendar_file(tmp_path, events())
    assert invoke(database_url, "calendars", "add", "Team", "--file", str(path)).exit_code == 0
    env = {"AUTOJOIN_CALENDARS__PARSE_WORKERS": "0"}
    synced = invoke(database_url, "calendars", "sync", env=env)
    assert synced.exit_code == 0, synced.stderr
    assert synced.stdout.splitlines()[1].split()[:5] == ["Team", "ok", "4", "3", "2"]
    [listed] = json.loads(invoke(database_url, "calendars", "list", "--json", env=env).stdout)
    assert (listed["events"], listed["meetings"], listed["last_error"]) == (4, 3, None)


def test_preview_hides_meeting_passcodes(database_url: str, tmp_path: Path) -> None:
    link = "https://acme.zoom.us/j/81234567890?pwd=SECRETPASS"
    event = Event(uid="a", start=SOON, end=SOON + timedelta(minutes=30), url=link)
    path = calendar_file(tmp_path, [event])
    window = ("--from", SOON.isoformat(), "--to", (SOON + timedelta(days=1)).isoformat())
    as_json = invoke(database_url, "preview", str(path), "--json", *window)
    assert as_json.exit_code == 0, as_json.stderr
    [row] = json.loads(as_json.stdout)
    assert row["meeting_url"] == "https://acme.zoom.us/j/81234567890?pwd=…"
    as_text = invoke(database_url, "preview", str(path), *window)
    assert "SECRETPASS" not in as_json.stdout + as_text.stdout


def test_preview_lists_every_occurrence_with_its_decision(
    database_url: str, tmp_path: Path
) -> None:
    path = calendar_file(tmp_path, events())
    result = invoke(
        database_url,
        "preview",
        str(path),
        "--json",
        "--from",
        SOON.isoformat(),
        "--to",
        (SOON + timedelta(days=1)).isoformat(),
        env={"AUTOJOIN_RULES__SKIP_TITLE_KEYWORDS": "1:1"},
    )
    assert result.exit_code == 0, result.stderr
    rows: list[dict[str, Any]] = json.loads(result.stdout)
    assert [(r["title"], r["decision"], r["reason"], r["platform"]) for r in rows] == [
        ("Standup", "record", None, "zoom"),
        ("1:1 with Sam", "skip", "title_keyword", "google_meet"),
        ("Offsite", "skip", "no_join_url", None),
        ("Dropped", "skip", "cancelled", "zoom"),
    ]
    assert rows[0]["start"] == SOON.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rows[1]["meeting_url"] == "https://meet.google.com/abc-defg-hij"
    assert json.loads(invoke(database_url, "meetings", "list", "--json").stdout) == []


def test_preview_refuses_a_backwards_window(database_url: str, tmp_path: Path) -> None:
    path = calendar_file(tmp_path, events())
    result = invoke(
        database_url,
        "preview",
        str(path),
        "--from",
        "2026-12-02T00:00:00Z",
        "--to",
        "2026-12-01T00:00:00Z",
    )
    assert (result.exit_code, result.stderr.strip()) == (2, "error: --to: must be after --from")


def test_preview_refuses_a_file_over_the_feed_size_limit(database_url: str, tmp_path: Path) -> None:
    path = calendar_file(tmp_path, events())
    limit = {"AUTOJOIN_CALENDARS__MAX_FEED_BYTES": "1000"}
    result = invoke(database_url, "preview", str(path), env=limit)
    assert (result.exit_code, result.stderr) == (
        2,
        f"error: {path}: the file is larger than 1000 bytes (calendars.max_feed_bytes)\n",
    )


def test_explain_and_override_one_meeting(database_url: str, tmp_path: Path) -> None:
    path = calendar_file(tmp_path, events())
    env = {"AUTOJOIN_RULES__SKIP_TITLE_KEYWORDS": "1:1"}
    assert invoke(database_url, "import", str(path), env=env).stdout.strip() == (
        "2 added, 0 updated, 0 unchanged"
    )
    meetings = json.loads(invoke(database_url, "meetings", "list", "--json").stdout)
    skipped = next(m for m in meetings if m["state"] == "skipped")
    forced = invoke(database_url, "meetings", "override", str(skipped["id"]), "record")
    assert forced.stdout.strip() == (
        f"meeting {skipped['id']}: a bot is wanted (manual_record); state waiting"
    )
    report = json.loads(
        invoke(database_url, "meetings", "explain", str(skipped["id"]), "--json").stdout
    )
    assert report["override"] == "record"
    assert report["sources"] == [
        {
            "source": "file:team.ics",
            "key": report["sources"][0]["key"],
            "decision": "skip",
            "reason": "title_keyword",
            "explanation": "skipped: title contains '1:1' (rules.skip_title_keywords)",
        }
    ]
    assert [e["kind"] for e in report["events"]] == ["created", "override", "decision", "state"]
    text = invoke(database_url, "meetings", "explain", str(skipped["id"])).stdout
    assert "decision   a bot is wanted (manual_record), override: record" in text
    unknown = invoke(database_url, "meetings", "explain", "999")
    assert (unknown.exit_code, unknown.stderr.strip()) == (1, "error: no meeting with id 999")


def test_a_sync_with_worker_processes_works_from_python_dash_m(
    database_url: str, tmp_path: Path
) -> None:
    import subprocess
    import sys

    path = calendar_file(tmp_path, events())
    env = {"AUTOJOIN_DATABASE_URL": database_url, "AUTOJOIN_CONFIG": ""}
    assert invoke(database_url, "calendars", "add", "Team", "--file", str(path)).exit_code == 0
    done = subprocess.run(
        [sys.executable, "-m", "service", "calendars", "sync"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, **env},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1].split()[:2] == ["Team", "ok"]
