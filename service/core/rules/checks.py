"""The checks behind each rule: each returns a short detail phrase when it fires, else None."""

from __future__ import annotations

from dataclasses import dataclass

from service.core.rules.addresses import in_any_domain, matches, normalize_email
from service.core.rules.facts import MeetingFacts, Override
from service.core.rules.settings import Mode, RecordingRules


@dataclass(frozen=True, slots=True, kw_only=True)
class Meeting:
    """The facts with addresses normalized once, as every check reads them.

    ``people`` are the distinct usable emails of the organizer and the attendees, organizer
    first. ``headcount`` adds one for each attendee without a usable email. ``owner_replies``
    are the PARTSTATs of the attendee entries that are the calendar's owner.
    """

    facts: MeetingFacts
    organizer: str | None
    people: tuple[str, ...]
    headcount: int
    owner_replies: frozenset[str]

    @classmethod
    def of(cls, facts: MeetingFacts) -> Meeting:
        organizer = normalize_email(facts.organizer)
        emails = [normalize_email(attendee.email) for attendee in facts.attendees]
        people = tuple(dict.fromkeys(e for e in (organizer, *emails) if e is not None))
        owner = normalize_email(facts.owner_email)
        replies = frozenset(
            (attendee.partstat or "").strip().upper()
            for attendee, email in zip(facts.attendees, emails, strict=True)
            if owner is not None and email == owner
        )
        return cls(
            facts=facts,
            organizer=organizer,
            people=people,
            headcount=len(people) + emails.count(None),
            owner_replies=replies,
        )


def cancelled(meeting: Meeting, rules: RecordingRules) -> str | None:
    return "the meeting is cancelled" if meeting.facts.cancelled else None


def all_day(meeting: Meeting, rules: RecordingRules) -> str | None:
    return "all-day events are never recorded" if meeting.facts.all_day else None


def no_join_url(meeting: Meeting, rules: RecordingRules) -> str | None:
    return None if meeting.facts.has_link else "the meeting has no join link"


def ended(meeting: Meeting, rules: RecordingRules) -> str | None:
    return "the meeting has ended" if meeting.facts.ended else None


def manual_record(meeting: Meeting, rules: RecordingRules) -> str | None:
    return "manual override" if meeting.facts.override is Override.RECORD else None


def manual_skip(meeting: Meeting, rules: RecordingRules) -> str | None:
    return "manual override" if meeting.facts.override is Override.SKIP else None


def never_record(meeting: Meeting, rules: RecordingRules) -> str | None:
    return _listed(meeting, rules.never_record)


def always_record(meeting: Meeting, rules: RecordingRules) -> str | None:
    return _listed(meeting, rules.always_record)


def _listed(meeting: Meeting, entries: tuple[str, ...]) -> str | None:
    for person in meeting.people:
        for entry in entries:
            if matches(person, entry):
                via = "" if person == entry else f" via {entry}"
                return f"{person} is listed{via}"
    return None


def internal_meeting(meeting: Meeting, rules: RecordingRules) -> str | None:
    if rules.mode is not Mode.EXTERNAL_ONLY or _outsiders(meeting, rules):
        return None
    return "no one from outside the company domains takes part"


def external_meeting(meeting: Meeting, rules: RecordingRules) -> str | None:
    outsiders = _outsiders(meeting, rules) if rules.mode is Mode.INTERNAL_ONLY else []
    return f"{outsiders[0]} is outside the company domains" if outsiders else None


def _outsiders(meeting: Meeting, rules: RecordingRules) -> list[str]:
    return [p for p in meeting.people if not in_any_domain(p, rules.company_domains)]


def organizer_not_member(meeting: Meeting, rules: RecordingRules) -> str | None:
    organizer = meeting.organizer
    if not rules.require_company_organizer:
        return None
    if organizer is None:
        return "the organizer is unknown"
    if in_any_domain(organizer, rules.company_domains):
        return None
    return f"organizer {organizer} is outside the company domains"


def too_few_attendees(meeting: Meeting, rules: RecordingRules) -> str | None:
    low = rules.min_attendees
    if low is None or meeting.headcount >= low:
        return None
    return f"{_attendees(meeting.headcount)}, fewer than {low}"


def too_many_attendees(meeting: Meeting, rules: RecordingRules) -> str | None:
    high = rules.max_attendees
    if high is None or meeting.headcount <= high:
        return None
    return f"{_attendees(meeting.headcount)}, more than {high}"


def _attendees(count: int) -> str:
    return "1 attendee" if count == 1 else f"{count} attendees"


def title_keyword(meeting: Meeting, rules: RecordingRules) -> str | None:
    title = _folded(meeting.facts.title)
    for keyword in rules.skip_title_keywords:
        if contains_keyword(title, _folded(keyword)):
            return f"title contains {keyword!r}"
    return None


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def contains_keyword(title: str, keyword: str) -> bool:
    """A whole-word match in already folded text: a letter or digit at either end of the
    keyword must not run on into a letter or digit of the title. "private" is in
    "private sync" and "private-ish" but not "privateer"; "1:1" is in "weekly 1:1 with sam"."""
    start = title.find(keyword)
    while start >= 0:
        end = start + len(keyword)
        joined_before = start > 0 and keyword[0].isalnum() and title[start - 1].isalnum()
        joined_after = end < len(title) and keyword[-1].isalnum() and title[end].isalnum()
        if not (joined_before or joined_after):
            return True
        start = title.find(keyword, start + 1)
    return False


def declined(meeting: Meeting, rules: RecordingRules) -> str | None:
    on = rules.skip_declined and "DECLINED" in meeting.owner_replies
    return "the calendar's owner declined" if on else None


def tentative(meeting: Meeting, rules: RecordingRules) -> str | None:
    on = rules.skip_tentative and "TENTATIVE" in meeting.owner_replies
    return "the calendar's owner replied tentative" if on else None


def tentative_event(meeting: Meeting, rules: RecordingRules) -> str | None:
    on = rules.skip_tentative_events and meeting.facts.tentative
    return "the event is tentative (STATUS:TENTATIVE)" if on else None
