"""decide(): walk the fixed table of steps in order; the first step whose check fires decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from service.core.rules import checks
from service.core.rules.checks import Meeting
from service.core.rules.decision import RECORD_BY_DEFAULT, Decision, Reason
from service.core.rules.facts import MeetingFacts
from service.core.rules.settings import RecordingRules

SECTION: Final = "rules"

Check = Callable[[Meeting, RecordingRules], str | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One row: when ``check`` returns a detail phrase, the meeting is recorded or not."""

    reason: Reason
    record: bool
    check: Check
    rule: str | None


def _skip(reason: Reason, check: Check, key: str | None = None) -> Step:
    return Step(reason=reason, record=False, check=check, rule=_dotted(key))


def _record(reason: Reason, check: Check, key: str | None = None) -> Step:
    return Step(reason=reason, record=True, check=check, rule=_dotted(key))


def _dotted(key: str | None) -> str | None:
    return None if key is None else f"{SECTION}.{key}"


STEPS: Final[tuple[Step, ...]] = (
    # Structural: no rule and no manual override can record these.
    _skip(Reason.CANCELLED, checks.cancelled),
    _skip(Reason.ALL_DAY, checks.all_day),
    _skip(Reason.NO_JOIN_URL, checks.no_join_url),
    _skip(Reason.ENDED, checks.ended),
    # A person's decision for this one meeting beats every rule.
    _record(Reason.MANUAL_RECORD, checks.manual_record),
    _skip(Reason.MANUAL_SKIP, checks.manual_skip),
    # The lists: do-not-record beats always-record, which beats every rule below.
    _skip(Reason.NEVER_RECORD, checks.never_record, "never_record"),
    _record(Reason.ALWAYS_RECORD, checks.always_record, "always_record"),
    # Opt-in filters, in this order.
    _skip(Reason.INTERNAL_MEETING, checks.internal_meeting, "mode"),
    _skip(Reason.EXTERNAL_MEETING, checks.external_meeting, "mode"),
    _skip(Reason.ORGANIZER_NOT_MEMBER, checks.organizer_not_member, "require_company_organizer"),
    _skip(Reason.TOO_FEW_ATTENDEES, checks.too_few_attendees, "min_attendees"),
    _skip(Reason.TOO_MANY_ATTENDEES, checks.too_many_attendees, "max_attendees"),
    _skip(Reason.TITLE_KEYWORD, checks.title_keyword, "skip_title_keywords"),
    _skip(Reason.DECLINED, checks.declined, "skip_declined"),
    _skip(Reason.TENTATIVE, checks.tentative, "skip_tentative"),
    _skip(Reason.TENTATIVE_EVENT, checks.tentative_event, "skip_tentative_events"),
)


def decide(facts: MeetingFacts, rules: RecordingRules) -> Decision:
    """Whether this meeting gets a bot, and why. Pure, deterministic and total."""
    meeting = Meeting.of(facts)
    for step in STEPS:
        detail = step.check(meeting, rules)
        if detail is not None:
            return Decision(record=step.record, reason=step.reason, rule=step.rule, detail=detail)
    return RECORD_BY_DEFAULT
