"""`autojoin import`, `meetings list|explain|override` and `plan`: the meeting store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from service.cli.common import echo_json, fail, read_input, run, say
from service.cli.views import explanation, forecast_report, print_table, summary
from service.config import Settings
from service.core.errors import InputError
from service.core.ics import FeedError
from service.core.model import MeetingView

if TYPE_CHECKING:
    from service.usecases.forecast import Forecast

MEETING_ID = click.IntRange(1, 2**31 - 1)
"""A meeting id the store's integer column can hold (PostgreSQL refuses larger ones)."""


@click.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--owner", help="whose calendar an .ics file is (for the rules on replies)")
@click.pass_obj
def import_(settings: Settings, file: Path, owner: str | None) -> None:
    """Add or update meetings from a JSON list or an .ics file (re-importing updates in place).

    The file is bounded like a calendar feed: at most ``calendars.max_feed_bytes``, and an
    .ics file within the feed limits; a file over a limit is bad input and changes nothing.
    """
    from service.composition import open_use_cases

    data = read_input(file, settings.calendars.max_feed_bytes)
    ics = file.suffix.lower() == ".ics"
    rows = None if ics else _json(file, data)

    async def main() -> str:
        async with open_use_cases(settings) as uses:
            if rows is None:
                counts = await uses.imports.ics(data, name=file.name, owner_email=owner)
            else:
                counts = await uses.imports.json(rows)
        return f"{counts.inserted} added, {counts.updated} updated, {counts.unchanged} unchanged"

    try:
        say(run(main))
    except FeedError as exc:
        fail(InputError(str(file), exc.problem))


def _json(file: Path, data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        fail(InputError(str(file), f"not UTF-8 text (byte {exc.start})"))
    except RecursionError:
        fail(InputError(str(file), "not a readable JSON file (nested too deeply)"))
    except ValueError as exc:
        fail(InputError(str(file), f"not a readable JSON file ({exc})"))


@click.group()
def meetings() -> None:
    """Inspect the meeting store, explain a meeting, override the rules for one."""


@meetings.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="print a JSON array")
@click.option("--all", "include_past", is_flag=True, help="include meetings that have ended")
@click.option("--limit", default=1000, show_default=True, type=click.IntRange(1, 100_000))
@click.pass_obj
def list_(settings: Settings, as_json: bool, include_past: bool, limit: int) -> None:
    """List meetings with their bot and its status, by start time."""
    from service.composition import open_use_cases

    async def main() -> list[MeetingView]:
        async with open_use_cases(settings) as uses:
            after = None if include_past else uses.clock.now()
            return await uses.meetings.views(starting_after=after, limit=limit)

    rows = [summary(view) for view in run(main)]
    if as_json:
        echo_json(rows)
    else:
        print_table(rows)


@meetings.command()
@click.argument("meeting_id", type=MEETING_ID)
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.pass_obj
def explain(settings: Settings, meeting_id: int, as_json: bool) -> None:
    """Every source, rule decision, planned dispatch time and state history of one meeting."""
    from service.composition import open_use_cases

    async def main() -> MeetingView:
        async with open_use_cases(settings) as uses:
            return await uses.meetings.view(meeting_id)

    report = explanation(run(main))
    if as_json:
        echo_json(report)
        return
    for line in report["lines"]:
        say(line)


@meetings.command()
@click.argument("meeting_id", type=MEETING_ID)
@click.argument("choice", type=click.Choice(["record", "skip", "clear"]))
@click.pass_obj
def override(settings: Settings, meeting_id: int, choice: str) -> None:
    """Record or skip one meeting whatever the rules say (clear: back to the rules)."""
    from service.composition import open_use_cases

    async def main() -> MeetingView:
        async with open_use_cases(settings) as uses:
            return await uses.override(meeting_id, None if choice == "clear" else choice)

    view = run(main)
    meeting = view.meeting
    verdict = "a bot is wanted" if meeting.wanted else "no bot is wanted"
    say(
        f"meeting {meeting.id}: {verdict} ({meeting.decision_reason or 'rules'}); "
        f"state {meeting.dispatch_state.value}"
    )


@click.command(name="plan")
@click.option("--json", "as_json", is_flag=True, help="print the plan as JSON")
@click.option(
    "--late",
    "late_limit",
    default=20,
    show_default=True,
    type=click.IntRange(0, 10_000),
    help="late meetings to list",
)
@click.pass_obj
def plan_(settings: Settings, as_json: bool, late_limit: int) -> None:
    """Show when waiting meetings' bots will be booked, and which will be late."""
    from service.composition import open_use_cases

    async def main() -> Forecast:
        async with open_use_cases(settings) as uses:
            return await uses.forecast(late_limit=late_limit)

    report = forecast_report(run(main))
    if as_json:
        echo_json(report)
        return
    say(
        f"{report['waiting']} meetings waiting; {report['creates_per_minute']} creates/min "
        f"({report['policy']}); first dispatch {report['first_dispatch'] or '-'}, "
        f"last {report['last_dispatch'] or '-'}"
    )
    if not report["late"]:
        say("every bot will be booked before its deadline")
    for late in report["late"]:
        seconds, title = late["late_by_seconds"], late["title"]
        say(f"LATE by {seconds:>6.0f} s  meeting {late['id']}: {title}")
