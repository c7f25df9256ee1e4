"""No title, error or name from a calendar, an import file or the store reaches the terminal
with its control characters live: OSC/CSI escapes, BEL, NUL, bidi overrides."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Final

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import update

from service.adapters.sql.engine import make_engine
from service.adapters.sql.tables import calendars, meeting_sources, meetings
from service.cli import cli
from tests.acceptance.test_cli import SOON, meetings_file, row
from tests.fakes.feeds import Event, ics

OSC_TITLE: Final = "\x1b]0;owned\x07Stand\u202eup\x00"
RAW: Final = ("\x1b", "\x07", "\x00", "\u202e", "\x9b")
# What a store written before the cleaning may hold (PostgreSQL refuses NUL in text).
STORED: Final = "\x1b]0;owned\x07Stand\u202eup\x9b"


def invoke(database_url: str, *args: str) -> Result:
    environment = {"AUTOJOIN_DATABASE_URL": database_url, "AUTOJOIN_CONFIG": ""}
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


def shown(database_url: str, *args: str) -> str:
    result = invoke(database_url, *args)
    assert result.exit_code == 0, result.stderr
    output = result.stdout + result.stderr
    assert [char for char in RAW if char in output] == []
    return output


def every_view(database_url: str) -> str:
    return "".join(
        shown(database_url, *args)
        for args in (
            ("meetings", "list"),
            ("meetings", "list", "--json"),
            ("meetings", "explain", "1"),
            ("meetings", "explain", "1", "--json"),
            ("plan",),
            ("calendars", "list"),
            ("calendars", "list", "--json"),
        )
    )


@pytest.mark.parametrize("via", ["ics import", "calendar sync", "json import"])
def test_a_title_with_terminal_escapes_is_never_shown_raw(
    database_url: str, tmp_path: Path, via: str
) -> None:
    event = Event(uid="e1", start=SOON, end=SOON + timedelta(hours=1), title=OSC_TITLE)
    ics_path = tmp_path / "team.ics"
    ics_path.write_bytes(ics([event]))
    if via == "ics import":
        shown(database_url, "import", str(ics_path))
    elif via == "calendar sync":
        shown(database_url, "calendars", "add", "Team", "--file", str(ics_path))
        shown(database_url, "calendars", "sync")
    else:
        shown(database_url, "import", str(meetings_file(tmp_path, [row(1, title=OSC_TITLE)])))
    assert "]0;ownedStandup" in every_view(database_url)
    preview = shown(database_url, "preview", str(ics_path))
    assert "]0;ownedStandup" in preview
    preview_json = json.loads(shown(database_url, "preview", str(ics_path), "--json"))
    assert [item["title"] for item in preview_json] == ["]0;ownedStandup"]


async def _store_raw_text(database_url: str) -> None:
    """What a store written before the cleaning can hold, and remote errors still carry."""
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(meetings).values(title=STORED, last_error=STORED))
            await conn.execute(update(meeting_sources).values(title=STORED))
            await conn.execute(update(calendars).values(last_error="feed \x1b[2J\x9b gone"))
    finally:
        await engine.dispose()


def test_raw_text_already_in_the_store_is_escaped_on_display(
    database_url: str, tmp_path: Path
) -> None:
    event = Event(uid="e1", start=SOON, end=SOON + timedelta(hours=1))
    ics_path = tmp_path / "team.ics"
    ics_path.write_bytes(ics([event]))
    shown(database_url, "calendars", "add", "Team", "--file", str(ics_path))
    shown(database_url, "calendars", "sync")
    asyncio.run(_store_raw_text(database_url))
    output = every_view(database_url)
    assert "\\x1b]0;owned\\x07Stand\\u202eup\\x9b" in output
    assert "feed \\x1b[2J\\x9b gone" in output


def test_an_error_line_quoting_a_name_is_escaped(database_url: str, tmp_path: Path) -> None:
    result = invoke(database_url, "calendars", "remove", "\x1b]0;x\x07Team")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: calendar '\\x1b]0;x\\x07Team': no such calendar")
    path = tmp_path / "\x1b]0;x\x07.json"
    path.write_text("[{", encoding="utf-8")
    broken = invoke(database_url, "import", str(path))
    assert broken.exit_code == 2
    assert broken.stderr.startswith(f"error: {tmp_path}/\\x1b]0;x\\x07.json: not a readable")


def test_a_calendar_name_with_control_characters_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    ics_path = tmp_path / "team.ics"
    ics_path.write_bytes(ics([]))
    result = invoke(database_url, "calendars", "add", "Te\u202eam", "--file", str(ics_path))
    assert result.exit_code == 2
    assert result.stderr == (
        "error: NAME: expected 1 to 200 characters, none of them control characters\n"
    )
