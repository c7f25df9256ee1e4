"""Recording rules: the opt-in filters (audience, headcount, title, replies) and their order."""

from __future__ import annotations

from typing import Any

import pytest

from service.core.rules import MeetingFacts, decide
from tests.unit.test_rules import (
    ACME,
    EXT_ONLY,
    OWNER,
    RECORDING,
    among,
    case,
    internal,
    meeting,
    person,
    replied,
    rules,
)

INT_ONLY: dict[str, Any] = {"mode": "internal_only", **ACME}
MEMBER_ORG: dict[str, Any] = {"require_company_organizer": True, **ACME}

AUDIENCE = [
    case("ext-only-internal", internal(), "internal_meeting", **EXT_ONLY),
    case("ext-only-with-client", meeting(), None, **EXT_ONLY),
    case(
        "ext-only-subdomain-inside",
        among(OWNER, "x@sales.acme.com"),
        "internal_meeting",
        **EXT_ONLY,
    ),
    case("ext-only-lookalike-outside", among(OWNER, "x@acme.com.evil.net"), None, **EXT_ONLY),
    case("ext-only-prefix-outside", among(OWNER, "x@notacme.com"), None, **EXT_ONLY),
    case("ext-only-outside-organizer", among(OWNER, organizer="cy@client.io"), None, **EXT_ONLY),
    case("ext-only-ignores-no-email", among(OWNER, "", "Room 4"), "internal_meeting", **EXT_ONLY),
    case("int-only-external", meeting(), "external_meeting", **INT_ONLY),
    case("int-only-internal", internal(), None, **INT_ONLY),
    case("int-only-lookalike", among(OWNER, "x@notacme.com"), "external_meeting", **INT_ONLY),
    case(
        "int-only-any-case-and-domains",
        among("ANA@ACME.COM", "x@Acme.DE", organizer="Ana@Acme.com"),
        None,
        mode="internal_only",
        company_domains=["ACME.com", "@acme.de"],
    ),
    case("organizer-member", meeting(), None, **MEMBER_ORG),
    case("organizer-subdomain", meeting(organizer="a@eng.acme.com"), None, **MEMBER_ORG),
    case(
        "organizer-outside", meeting(organizer="cy@client.io"), "organizer_not_member", **MEMBER_ORG
    ),
    case(
        "organizer-lookalike", meeting(organizer="a@acme.co"), "organizer_not_member", **MEMBER_ORG
    ),
    case("organizer-unknown", meeting(organizer=None), "organizer_not_member", **MEMBER_ORG),
    case("organizer-no-email", meeting(organizer="Ana"), "organizer_not_member", **MEMBER_ORG),
]

# meeting() has three people: ana (organizer and attendee), the owner and cy.
HEADCOUNT = [
    case("min-exactly", meeting(), None, min_attendees=3),
    case("min-one-short", meeting(), "too_few_attendees", min_attendees=4),
    case("max-exactly", meeting(), None, max_attendees=3),
    case("max-one-over", meeting(), "too_many_attendees", max_attendees=2),
    case("min-equals-max", meeting(), None, min_attendees=3, max_attendees=3),
    case("organizer-counts-unlisted", among(OWNER), None, min_attendees=2, max_attendees=2),
    case("one-person-once", among("ana@acme.com", "ANA@acme.com", OWNER), None, max_attendees=2),
    case("owner-mailto-once", among(OWNER, f"mailto:{OWNER}"), None, max_attendees=2),
    case("no-email-each-counts", among(OWNER, "", "  ", "Guest"), None, min_attendees=5),
    case("no-email-too-many", among(OWNER, "", ""), "too_many_attendees", max_attendees=3),
    case("nobody", among(organizer=None), "too_few_attendees", min_attendees=1),
    case("replies-do-not-matter", replied("DECLINED"), None, min_attendees=2, max_attendees=2),
]


def titled(title: str, keyword: str, reason: str | None) -> Any:
    return case(
        f"{keyword}-in-{title}", meeting(title=title), reason, skip_title_keywords=[keyword]
    )


TITLES = [
    titled("Weekly 1:1 with Sam", "1:1", "title_keyword"),
    titled("Sam/Ana 1:1", "1:1", "title_keyword"),
    titled("Private sync", "private", "title_keyword"),
    titled("Sync (PRIVATE)", "Private", "title_keyword"),
    titled("private-ish chat", "private", "title_keyword"),
    titled("Board [No Record]", "[no record]", "title_keyword"),
    titled("Board[no record]x", "[no record]", "title_keyword"),
    titled("No   record:  budget", "no record", "title_keyword"),
    titled("STRASSE review", "straße", "title_keyword"),
    titled("privateer, then private", "private", "title_keyword"),
    titled("Privateer launch", "private", None),
    titled("Deprivate", "private", None),
    titled("Weekly 11:1", "1:1", None),
    titled("Weekly 1:10", "1:1", None),
    titled("Planning", "private", None),
]

REPLIES = [
    case("owner-declined", replied("DECLINED"), "declined", skip_declined=True),
    case("partstat-any-case", replied(" declined "), "declined", skip_declined=True),
    case("declined-not-configured", replied("DECLINED"), None),
    case(
        "owner-email-any-case",
        replied("DECLINED", owner_email="mailto:BO@Acme.com"),
        "declined",
        skip_declined=True,
    ),
    case(
        "someone-else-declined",
        meeting(attendees=(person("ana@acme.com", "DECLINED"), person(OWNER, "ACCEPTED"))),
        None,
        skip_declined=True,
        skip_tentative=True,
    ),
    case("owner-unknown", replied("DECLINED", owner_email=None), None, skip_declined=True),
    case(
        "owner-not-invited", replied("DECLINED", owner_email="z@acme.com"), None, skip_declined=True
    ),
    case("needs-action", replied("NEEDS-ACTION"), None, skip_declined=True, skip_tentative=True),
    case("no-partstat", replied(None), None, skip_declined=True, skip_tentative=True),
    case("owner-tentative", replied("TENTATIVE"), "tentative", skip_tentative=True),
    case("tentative-own-flag", replied("TENTATIVE"), None, skip_declined=True),
    case("declined-own-flag", replied("DECLINED"), None, skip_tentative=True),
    case("event-tentative", meeting(tentative=True), "tentative_event", skip_tentative_events=True),
    case("event-tentative-own-flag", meeting(tentative=True), None, skip_tentative=True),
]

EVERYTHING: dict[str, Any] = {
    "require_company_organizer": True,
    "min_attendees": 9,
    "skip_title_keywords": ["private"],
    "skip_declined": True,
    "skip_tentative_events": True,
    **EXT_ONLY,
}
BUSY = {"title": "private", "tentative": True}
ORDER = [
    case("mode-first", internal(organizer=None, **BUSY), "internal_meeting", **EVERYTHING),
    case(
        "then-organizer",
        replied("DECLINED", organizer="x@client.io", **BUSY),
        "organizer_not_member",
        **EVERYTHING,
    ),
    case(
        "then-count",
        replied("DECLINED", **BUSY),
        "too_few_attendees",
        **{**EVERYTHING, "mode": "all"},
    ),
    case(
        "then-title",
        replied("DECLINED", **BUSY),
        "title_keyword",
        **{**EVERYTHING, "min_attendees": 1, "mode": "all"},
    ),
    case(
        "then-declined",
        replied("DECLINED", tentative=True),
        "declined",
        **{**EVERYTHING, "mode": "all", "min_attendees": 1},
    ),
    case(
        "too-many-before-title",
        meeting(title="private"),
        "too_many_attendees",
        max_attendees=1,
        skip_title_keywords=["private"],
    ),
]


@pytest.mark.parametrize(
    ("facts", "config", "reason"), [*AUDIENCE, *HEADCOUNT, *TITLES, *REPLIES, *ORDER]
)
def test_filter_table(facts: MeetingFacts, config: dict[str, Any], reason: str | None) -> None:
    decision = decide(facts, rules(**config))
    assert (decision.reason, decision.record) == (reason, reason in RECORDING)
