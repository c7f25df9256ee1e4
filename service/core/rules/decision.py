"""Decision: whether a meeting gets a bot, why (a stable code), and its one-line explanation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Reason(StrEnum):
    """Stable machine codes; the full table with meanings is in ``service.core.rules``."""

    CANCELLED = "cancelled"
    ALL_DAY = "all_day"
    NO_JOIN_URL = "no_join_url"
    ENDED = "ended"
    MANUAL_RECORD = "manual_record"
    MANUAL_SKIP = "manual_skip"
    NEVER_RECORD = "never_record"
    ALWAYS_RECORD = "always_record"
    INTERNAL_MEETING = "internal_meeting"
    EXTERNAL_MEETING = "external_meeting"
    ORGANIZER_NOT_MEMBER = "organizer_not_member"
    TOO_FEW_ATTENDEES = "too_few_attendees"
    TOO_MANY_ATTENDEES = "too_many_attendees"
    TITLE_KEYWORD = "title_keyword"
    DECLINED = "declined"
    TENTATIVE = "tentative"
    TENTATIVE_EVENT = "tentative_event"


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """``reason`` is None only when the meeting is recorded because nothing said otherwise.

    ``rule`` is the config key that decided (``rules.skip_title_keywords``), None for
    structural reasons, manual overrides and the default. ``detail`` is a short human phrase
    naming what matched (the keyword, the person, the count).
    """

    record: bool
    reason: Reason | None
    rule: str | None = None
    detail: str | None = None


RECORD_BY_DEFAULT = Decision(record=True, reason=None, detail="no rule skips this meeting")


def explain(decision: Decision) -> str:
    """One line for ``autojoin meetings explain``, e.g.
    ``skipped: title contains 'private' (rules.skip_title_keywords)``."""
    verdict = "recorded" if decision.record else "skipped"
    what = decision.detail or (decision.reason or "no rule skips this meeting")
    where = f" ({decision.rule})" if decision.rule else ""
    return f"{verdict}: {what}{where}"
