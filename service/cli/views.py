"""How meetings, plans and calendars are shown on the command line (text and JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from service.cli.common import say
from service.core.feed_urls import mask
from service.core.model import Calendar, CalendarKind, MeetingView
from service.core.redaction import redact_meeting_url, redact_text
from service.core.timestamps import utc_iso
from service.core.untrusted import escape_text

if TYPE_CHECKING:
    from service.usecases.forecast import Forecast


def _iso(value: Any) -> str | None:
    return utc_iso(value) if value is not None else None


def _shown(text: str | None) -> str | None:
    """Stored text that may hold a meeting link: its passcodes are hidden."""
    return redact_text(text, links=redact_meeting_url) if text is not None else None


def summary(view: MeetingView) -> dict[str, Any]:
    meeting, bot = view.meeting, view.bot
    return {
        "id": meeting.id,
        "title": meeting.title,
        "meeting_url": redact_meeting_url(meeting.meeting_url),
        "platform": meeting.platform.value,
        "start": utc_iso(meeting.start_at),
        "end": utc_iso(meeting.end_at),
        "join_at": utc_iso(meeting.join_at),
        "state": meeting.dispatch_state.value,
        "wanted": meeting.wanted,
        "reason": meeting.decision_reason,
        "bot_id": bot.mavera_id if bot else None,
        "bot_status": bot.status if bot else None,
        "attempts": bot.attempts if bot else 0,
        "last_error": _shown(meeting.last_error),
    }


def print_table(rows: list[dict[str, Any]], columns: tuple[str, ...] | None = None) -> None:
    """A text table; each cell with its control characters escaped (they come from calendars,
    import files and Mavera), so none can move the cursor, retitle the terminal or hide text."""
    columns = columns or ("id", "start", "join_at", "state", "bot_status", "bot_id", "title")
    table = [[_cell(row[c]) for c in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in table)]) for i, c in enumerate(columns)]
    say("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)))
    for cells in table:
        say("  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    return "-" if value is None else escape_text(str(value))


def explanation(view: MeetingView) -> dict[str, Any]:
    """One meeting's whole story, as JSON and as the lines `meetings explain` prints."""
    meeting = view.meeting
    report: dict[str, Any] = {
        **summary(view),
        "override": meeting.override,
        "planned_dispatch_at": utc_iso(meeting.dispatch_at),
        "deadline": utc_iso(meeting.deadline),
        "sources": [
            {
                "source": s.source,
                "key": _shown(s.source_key),
                "decision": "record" if s.record else "skip",
                "reason": s.reason,
                "explanation": s.explanation,
            }
            for s in view.sources
        ],
        "events": [
            {"at": utc_iso(e.at), "kind": e.kind, "detail": _shown(e.detail)} for e in view.events
        ],
        "status_history": [
            {"at": utc_iso(h.observed_at), "status": h.status} for h in view.history
        ],
    }
    report["lines"] = _story(view, report)
    return report


def _story(view: MeetingView, report: dict[str, Any]) -> list[str]:
    """The lines `meetings explain` prints, from the view and its JSON report."""
    meeting, bot = view.meeting, view.bot
    verdict = "a bot is wanted" if meeting.wanted else "no bot is wanted"
    lines = [
        f"meeting {meeting.id}: {meeting.title}",
        f"  call       {report['meeting_url']} ({meeting.platform.value})",
        f"  start      {utc_iso(meeting.start_at)}  end {utc_iso(meeting.end_at)}",
        f"  decision   {verdict} ({meeting.decision_reason or 'rules'})"
        + (f", override: {meeting.override}" if meeting.override else ""),
        f"  state      {meeting.dispatch_state.value}; join at {utc_iso(meeting.join_at)}, "
        f"dispatch planned {utc_iso(meeting.dispatch_at)}, deadline {utc_iso(meeting.deadline)}",
    ]
    if bot is not None:
        lines.append(
            f"  bot        {bot.mavera_id or '(not confirmed)'} {bot.status or ''} "
            f"(attempts {bot.attempts})"
        )
    if meeting.last_error:
        lines.append(f"  error      {meeting.last_error}")
    lines.append("sources:")
    lines += [
        f"  {s['source']} {s['key']}: {s['explanation'] or s['decision']}"
        for s in report["sources"]
    ] or ["  (none left)"]
    lines.append("events:")
    lines += [f"  {e['at']} {e['kind']}: {e['detail']}" for e in report["events"]]
    lines.append("bot status history:")
    lines += [f"  {h['at']} {h['status']}" for h in report["status_history"]] or ["  (none)"]
    return lines


def calendar_row(calendar: Calendar) -> dict[str, Any]:
    return {
        "name": calendar.name,
        "kind": calendar.kind.value,
        "location": (
            mask(calendar.location) if calendar.kind is CalendarKind.ICS_URL else calendar.location
        ),
        "owner": calendar.owner_email,
        "interval_seconds": int(calendar.interval.total_seconds()),
        "last_sync": _iso(calendar.last_attempt_at),
        "last_success": _iso(calendar.last_success_at),
        "last_error": redact_text(calendar.last_error) if calendar.last_error else None,
        "events": calendar.event_count,
        "meetings": calendar.meeting_count,
    }


def forecast_report(forecast: Forecast) -> dict[str, Any]:
    """The plan forecast as `autojoin plan --json` prints it."""
    return {
        "waiting": forecast.waiting,
        "policy": forecast.policy.value,
        "creates_per_minute": forecast.creates_per_minute,
        "first_dispatch": _iso(forecast.first_dispatch_at),
        "last_dispatch": _iso(forecast.last_dispatch_at),
        "late_count": forecast.late_count,
        "late": [
            {
                "id": late.meeting_id,
                "title": late.title,
                "late_by_seconds": late.late_by.total_seconds(),
            }
            for late in forecast.late
        ],
    }
