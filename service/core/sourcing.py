"""Sourcing: calendar occurrences become meetings with their rule decisions (pure), and what
applying one source's meetings to the store covers and changed (``Window``, ``ApplyCounts``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Final

from service.core.ics import Feed, Occurrence
from service.core.model import MeetingInput
from service.core.rules import AttendeeFact, Decision, MeetingFacts, RecordingRules, decide, explain
from service.core.timing import PlannedMeeting, Timing, dispatch_times


def facts(occurrence: Occurrence, *, owner_email: str | None, now: datetime) -> MeetingFacts:
    return MeetingFacts(
        title=occurrence.title,
        organizer=occurrence.organizer,
        attendees=tuple(
            AttendeeFact(email=a.email, partstat=a.partstat) for a in occurrence.attendees
        ),
        owner_email=owner_email,
        has_link=occurrence.link is not None,
        all_day=occurrence.all_day,
        cancelled=occurrence.cancelled,
        tentative=occurrence.tentative,
        ended=occurrence.end_at <= now,
        override=None,
    )


def judge(
    occurrence: Occurrence, *, owner_email: str | None, rules: RecordingRules, now: datetime
) -> Decision:
    return decide(facts(occurrence, owner_email=owner_email, now=now), rules)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourcedMeeting:
    """A meeting as one read of a source describes it, with that source's rule decision.

    ``may_create`` False: only update a meeting the store already has (a cancelled or
    finished occurrence must not create one).
    """

    meeting: MeetingInput
    may_create: bool = True


def to_meeting(
    occurrence: Occurrence,
    *,
    source: str,
    owner_email: str | None,
    rules: RecordingRules,
    now: datetime,
) -> SourcedMeeting | None:
    """The meeting an occurrence stands for, or None when there is no call to record
    (no join link, or all-day). A cancelled or finished one only updates a known meeting."""
    link = occurrence.link
    if link is None or occurrence.all_day:
        return None
    verdict = judge(occurrence, owner_email=owner_email, rules=rules, now=now)
    meeting = MeetingInput(
        source=source,
        source_key=occurrence.key,
        title=occurrence.title,
        meeting_url=link.url,
        platform=link.platform,
        start_at=occurrence.start_at,
        end_at=occurrence.end_at,
        organizer=occurrence.organizer,
        attendees=tuple(a.email for a in occurrence.attendees),
        sequence=occurrence.sequence,
        record=verdict.record,
        reason=str(verdict.reason) if verdict.reason is not None else None,
        explanation=explain(verdict),
    )
    structural = occurrence.cancelled or occurrence.end_at <= now
    return SourcedMeeting(meeting=meeting, may_create=not structural)


def planned(meetings: Iterable[SourcedMeeting], timing: Timing) -> list[PlannedMeeting]:
    """The meetings with their first dispatch times, as the store takes them in (the planner
    then fits every waiting one to the request budget). The one place a source's meeting
    gets its times: a calendar sync and an import alike, never in a parse worker."""
    return [
        PlannedMeeting(
            meeting=item.meeting,
            times=dispatch_times(item.meeting.start_at, timing),
            may_create=item.may_create,
        )
        for item in meetings
    ]


# (reason, how many events) for each reason events of a feed were left out, most first.
Skipped = tuple[tuple[str, int], ...]


def skipped(feed: Feed) -> Skipped:
    """Why events of ``feed`` were left out, counted (never which events: that is content)."""
    counts = Counter(reason for _, reason in feed.dropped)
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


@dataclass(frozen=True, slots=True, kw_only=True)
class Sourced:
    """What one fetch of a feed brings: its meetings, its occurrence count, its clip window,
    and why events were left out (over a limit, unparseable, ...) with how many each."""

    meetings: list[SourcedMeeting]
    occurrences: int
    clip_start_at: datetime | None
    clip_end_at: datetime | None
    skipped: Skipped


def sourced(
    feed: Feed,
    *,
    source: str,
    owner_email: str | None,
    rules: RecordingRules,
    now: datetime,
) -> Sourced:
    """Every occurrence of ``feed`` that stands for a call, as a meeting for the store."""
    found = (
        to_meeting(occurrence, source=source, owner_email=owner_email, rules=rules, now=now)
        for occurrence in feed.occurrences
    )
    return Sourced(
        meetings=[item for item in found if item is not None],
        occurrences=len(feed.occurrences),
        clip_start_at=feed.clip_start_at,
        clip_end_at=feed.clip_end_at,
        skipped=skipped(feed),
    )


def judged(meeting: MeetingInput, *, rules: RecordingRules, now: datetime) -> MeetingInput:
    """An imported meeting with the rules' decision (imports follow the same policy)."""
    verdict = decide(
        MeetingFacts(
            title=meeting.title,
            organizer=meeting.organizer,
            attendees=tuple(
                AttendeeFact(email=email, partstat=None) for email in meeting.attendees
            ),
            owner_email=None,
            has_link=True,
            all_day=False,
            cancelled=False,
            tentative=False,
            ended=meeting.end_at <= now,
            override=None,
        ),
        rules,
    )
    return replace(
        meeting,
        record=verdict.record,
        reason=str(verdict.reason) if verdict.reason is not None else None,
        explanation=explain(verdict),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """Where a fetch is complete: an occurrence missing here is gone, not just out of view."""

    start: datetime
    end: datetime

    def covers(self, at: datetime) -> bool:
        return self.start <= at < self.end


EVERYTHING: Final = Window(
    start=datetime.min.replace(tzinfo=UTC), end=datetime.max.replace(tzinfo=UTC)
)
"""The window of a source that is gone as a whole (a removed calendar): none of it is left."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceMeetings:
    """One source's meetings as the store takes them in, each with its dispatch times, and
    ``window``, where the list is complete: a meeting of the source missing there is gone.
    None for a partial source (an import): nothing of it vanishes."""

    source: str
    planned: Sequence[PlannedMeeting]
    window: Window | None

    @classmethod
    def gone(cls, source: str) -> SourceMeetings:
        """A source gone as a whole (a removed calendar): none of its meetings is left."""
        return cls(source=source, planned=(), window=EVERYTHING)

    def missing(self, known: Mapping[str, datetime]) -> set[str]:
        """The keys of the source's rows (``known``: each one's start) that are gone: no
        longer carried, and starting inside the window (none without a window). A key that
        only a cancelled or finished occurrence carries is still carried if it has a row."""
        if self.window is None:
            return set()
        carried = {
            item.meeting.source_key
            for item in self.planned
            if item.meeting.source_key in known or item.may_create
        }
        window = self.window
        return {key for key, start in known.items() if key not in carried and window.covers(start)}


def source_fields(item: PlannedMeeting, meeting_id: int) -> dict[str, Any]:
    """What a source's row says of its meeting, by column (all but which source and key)."""
    meeting = item.meeting
    return {
        "meeting_id": meeting_id,
        "sequence": meeting.sequence,
        "start_at": meeting.start_at,
        "title": meeting.title,
        "record": meeting.record,
        "reason": meeting.reason,
        "explanation": meeting.explanation,
    }


@dataclass(slots=True)
class ApplyCounts:
    """What applying one source's meetings changed; the store fills it in as it goes."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    gone: int = 0
    rows_written: int = 0
    touched: set[int] = field(default_factory=set)
    changed: set[int] = field(default_factory=set)
    # Meetings this apply created, and how many source rows it gave each.
    created: set[int] = field(default_factory=set)
    sourced: Counter[int] = field(default_factory=Counter)

    def to_settle(self) -> set[int]:
        """Touched meetings whose wish may differ from their row. A meeting created here
        with one source row was written as that source decided: nothing to settle."""
        settled = {key for key in self.created if self.sourced[key] == 1}
        return self.touched - settled
