"""Recording rules: structural reasons, overrides and the lists, as a table; the step order."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from service.core.rules import AttendeeFact, MeetingFacts, Override, Reason, RecordingRules, decide
from service.core.rules.evaluation import STEPS

OWNER = "bo@acme.com"
ACME: dict[str, Any] = {"company_domains": ["acme.com"]}
EXT_ONLY: dict[str, Any] = {"mode": "external_only", **ACME}
# The only reasons that come with a bot; None means "no rule said otherwise".
RECORDING = {None, "manual_record", "always_record"}


def person(email: str, partstat: str | None = "ACCEPTED") -> AttendeeFact:
    return AttendeeFact(email=email, partstat=partstat)


def people(*emails: str) -> tuple[AttendeeFact, ...]:
    return tuple(person(email) for email in emails)


def meeting(**changes: Any) -> MeetingFacts:
    """Timed and linked; organized by ana@acme.com; three people: ana, the owner, a client."""
    base = MeetingFacts(
        title="Quarterly planning",
        has_link=True,
        organizer="ana@acme.com",
        attendees=people("ana@acme.com", OWNER, "cy@client.io"),
        owner_email=OWNER,
    )
    return replace(base, **changes)


def internal(**changes: Any) -> MeetingFacts:
    return meeting(attendees=people("ana@acme.com", OWNER), **changes)


def among(*emails: str, **changes: Any) -> MeetingFacts:
    return meeting(attendees=people(*emails), **changes)


def replied(partstat: str | None, **changes: Any) -> MeetingFacts:
    return meeting(attendees=(person("ana@acme.com"), person(OWNER, partstat)), **changes)


def case(name: str, facts: MeetingFacts, reason: str | None, **config: Any) -> Any:
    return pytest.param(facts, config, reason, id=name)


def rules(**values: Any) -> RecordingRules:
    return RecordingRules.model_validate(values)


RECORD = Override.RECORD
SKIP = Override.SKIP

DEFAULTS = [
    case("default-records", meeting(), None),
    case("bare", meeting(organizer=None, attendees=(), owner_email=None), None),
    case("default-ignores-replies", replied("DECLINED", tentative=True, title="private"), None),
]

STRUCTURAL = [
    case("cancelled", meeting(cancelled=True), "cancelled"),
    case("all-day", meeting(all_day=True), "all_day"),
    case("no-link", meeting(has_link=False), "no_join_url"),
    case("ended", meeting(ended=True), "ended"),
    case("cancelled-first", meeting(cancelled=True, all_day=True, has_link=False), "cancelled"),
    case("all-day-before-no-link", meeting(all_day=True, has_link=False, ended=True), "all_day"),
    case("no-link-before-ended", meeting(has_link=False, ended=True), "no_join_url"),
]

OVERRIDES = [
    case("manual-record", meeting(override=RECORD), "manual_record"),
    case("manual-skip", meeting(override=SKIP), "manual_skip"),
    case("record-needs-a-link", meeting(override=RECORD, has_link=False), "no_join_url"),
    case("record-not-all-day", meeting(override=RECORD, all_day=True), "all_day"),
    case("record-not-cancelled", meeting(override=RECORD, cancelled=True), "cancelled"),
    case("record-not-ended", meeting(override=RECORD, ended=True), "ended"),
    case(
        "record-beats-never",
        meeting(override=RECORD),
        "manual_record",
        never_record=["cy@client.io"],
    ),
    case("skip-beats-always", meeting(override=SKIP), "manual_skip", always_record=["client.io"]),
    case(
        "record-beats-filters",
        replied("DECLINED", override=RECORD, title="private"),
        "manual_record",
        skip_title_keywords=["private"],
        skip_declined=True,
        min_attendees=9,
    ),
]

LISTS = [
    case("never-email", meeting(), "never_record", never_record=["cy@client.io"]),
    case("never-domain", meeting(), "never_record", never_record=["client.io"]),
    case("never-at-domain", meeting(), "never_record", never_record=["@client.io"]),
    case(
        "never-organizer",
        meeting(organizer="x@board.org"),
        "never_record",
        never_record=["board.org"],
    ),
    case(
        "never-subdomain", among("x@eu.sales.client.io"), "never_record", never_record=["client.io"]
    ),
    case("never-any-case", among("CY@Client.IO"), "never_record", never_record=["cy@CLIENT.io"]),
    case(
        "never-mailto", among("mailto:cy@client.io"), "never_record", never_record=["cy@client.io"]
    ),
    case(
        "never-whatever-the-reply",
        meeting(attendees=(person(OWNER), person("cy@client.io", "DECLINED"))),
        "never_record",
        never_record=["client.io"],
    ),
    case("never-lookalike-prefix", among("x@notclient.io"), None, never_record=["client.io"]),
    case("never-lookalike-suffix", among("x@client.io.evil.net"), None, never_record=["client.io"]),
    case("never-other-person", among("cyril@client.io"), None, never_record=["cy@client.io"]),
    case("never-no-email", among("", "client.io"), None, never_record=["client.io"]),
    case(
        "never-beats-always",
        meeting(),
        "never_record",
        never_record=["client.io"],
        always_record=["acme.com"],
    ),
    case(
        "never-person-beats-always-domain",
        meeting(),
        "never_record",
        never_record=["cy@client.io"],
        always_record=["client.io"],
    ),
    case("always-domain", meeting(), "always_record", always_record=["client.io"]),
    case(
        "always-subdomain", among("vip@x.client.io"), "always_record", always_record=["@client.io"]
    ),
    case("always-lookalike", among("vip@client.io.evil.net"), None, always_record=["client.io"]),
    case(
        "always-beats-title",
        meeting(title="Private: pricing"),
        "always_record",
        always_record=["cy@client.io"],
        skip_title_keywords=["private"],
    ),
    case("always-beats-mode", internal(), "always_record", always_record=["acme.com"], **EXT_ONLY),
    case(
        "always-beats-declined-and-count",
        replied("DECLINED"),
        "always_record",
        always_record=["ana@acme.com"],
        skip_declined=True,
        min_attendees=5,
    ),
]


@pytest.mark.parametrize(
    ("facts", "config", "reason"),
    [*DEFAULTS, *STRUCTURAL, *OVERRIDES, *LISTS],
)
def test_decision_table(facts: MeetingFacts, config: dict[str, Any], reason: str | None) -> None:
    decision = decide(facts, rules(**config))
    assert (decision.reason, decision.record) == (reason, reason in RECORDING)


def test_every_reason_has_exactly_one_step() -> None:
    assert sorted(step.reason for step in STEPS) == sorted(Reason)


def test_steps_run_in_the_documented_order() -> None:
    assert [step.reason.value for step in STEPS] == [
        "cancelled",
        "all_day",
        "no_join_url",
        "ended",
        "manual_record",
        "manual_skip",
        "never_record",
        "always_record",
        "internal_meeting",
        "external_meeting",
        "organizer_not_member",
        "too_few_attendees",
        "too_many_attendees",
        "title_keyword",
        "declined",
        "tentative",
        "tentative_event",
    ]
