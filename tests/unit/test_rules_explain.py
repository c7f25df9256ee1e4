"""Recording rules: the one-line explanations, the config keys they name, and module purity."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import pytest

from service.core.rules import Decision, MeetingFacts, Override, Reason, decide, explain
from tests.unit.test_rules import ACME, EXT_ONLY, OWNER, among, internal, meeting, replied, rules

INT_ONLY: dict[str, Any] = {"mode": "internal_only", **ACME}


def line(name: str, facts: MeetingFacts, expected: str, **config: Any) -> Any:
    return pytest.param(facts, config, expected, id=name)


EXPLANATIONS = [
    line("default", meeting(), "recorded: no rule skips this meeting"),
    line("cancelled", meeting(cancelled=True), "skipped: the meeting is cancelled"),
    line("all-day", meeting(all_day=True), "skipped: all-day events are never recorded"),
    line("no-link", meeting(has_link=False), "skipped: the meeting has no join link"),
    line("ended", meeting(ended=True), "skipped: the meeting has ended"),
    line("manual-record", meeting(override=Override.RECORD), "recorded: manual override"),
    line("manual-skip", meeting(override=Override.SKIP), "skipped: manual override"),
    line(
        "title",
        meeting(title="Private sync"),
        "skipped: title contains 'Private' (rules.skip_title_keywords)",
        skip_title_keywords=["1:1", "Private"],
    ),
    line(
        "never-via-domain",
        among("m@sales.client.io"),
        "skipped: m@sales.client.io is listed via client.io (rules.never_record)",
        never_record=["client.io"],
    ),
    line(
        "always-person",
        meeting(),
        "recorded: cy@client.io is listed (rules.always_record)",
        always_record=["CY@client.io"],
    ),
    line(
        "internal",
        internal(),
        "skipped: no one from outside the company domains takes part (rules.mode)",
        **EXT_ONLY,
    ),
    line(
        "external",
        meeting(),
        "skipped: cy@client.io is outside the company domains (rules.mode)",
        **INT_ONLY,
    ),
    line(
        "organizer",
        meeting(organizer="cy@client.io"),
        "skipped: organizer cy@client.io is outside the company domains"
        " (rules.require_company_organizer)",
        require_company_organizer=True,
        **ACME,
    ),
    line(
        "organizer-unknown",
        meeting(organizer=None),
        "skipped: the organizer is unknown (rules.require_company_organizer)",
        require_company_organizer=True,
        **ACME,
    ),
    line(
        "too-few",
        among(OWNER, organizer=None),
        "skipped: 1 attendee, fewer than 2 (rules.min_attendees)",
        min_attendees=2,
    ),
    line(
        "too-many",
        meeting(),
        "skipped: 3 attendees, more than 2 (rules.max_attendees)",
        max_attendees=2,
    ),
    line(
        "declined",
        replied("DECLINED"),
        "skipped: the calendar's owner declined (rules.skip_declined)",
        skip_declined=True,
    ),
    line(
        "tentative",
        replied("TENTATIVE"),
        "skipped: the calendar's owner replied tentative (rules.skip_tentative)",
        skip_tentative=True,
    ),
    line(
        "tentative-event",
        meeting(tentative=True),
        "skipped: the event is tentative (STATUS:TENTATIVE) (rules.skip_tentative_events)",
        skip_tentative_events=True,
    ),
]


@pytest.mark.parametrize(("facts", "config", "expected"), EXPLANATIONS)
def test_explain_names_what_matched_and_the_config_key(
    facts: MeetingFacts, config: dict[str, Any], expected: str
) -> None:
    assert explain(decide(facts, rules(**config))) == expected


@pytest.mark.parametrize(
    "facts",
    [meeting(cancelled=True), meeting(override=Override.SKIP), meeting(override=Override.RECORD)],
)
def test_structural_and_manual_decisions_name_no_config_key(facts: MeetingFacts) -> None:
    assert decide(facts, rules()).rule is None


def test_a_default_decision_has_no_reason_and_no_key() -> None:
    decision = decide(meeting(), rules())
    assert (decision.record, decision.reason, decision.rule) == (True, None, None)


def test_explain_falls_back_to_the_reason_code() -> None:
    assert explain(Decision(record=False, reason=Reason.ENDED)) == "skipped: ended"
    assert explain(Decision(record=True, reason=None)) == "recorded: no rule skips this meeting"


def test_reason_codes_compare_and_format_as_plain_strings() -> None:
    reason = decide(meeting(all_day=True), rules()).reason
    assert reason == "all_day"
    assert f"{reason}" == "all_day"


ALLOWED = ("__future__", "pydantic", "service.core.rules")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: use absolute imports"
            names.add(node.module or "")
    return names


def test_rules_import_only_the_stdlib_pydantic_and_themselves() -> None:
    package = Path(__file__).resolve().parents[2] / "service" / "rules"
    imported = set().union(*(imported_modules(path) for path in package.glob("*.py")))
    foreign = {
        name
        for name in imported
        if name.split(".")[0] not in sys.stdlib_module_names
        and not any(name == ok or name.startswith(f"{ok}.") for ok in ALLOWED)
    }
    assert foreign == set()
    assert {"logging", "datetime", "time", "os"}.isdisjoint(imported)
