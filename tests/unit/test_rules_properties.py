"""Recording rules, by property: decide() is total and deterministic; matching has oracles."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from service.core.rules import AttendeeFact, MeetingFacts, Override, RecordingRules, decide, explain
from service.core.rules.addresses import in_domain
from service.core.rules.checks import contains_keyword

RECORDING = {None, "manual_record", "always_record"}
STRUCTURAL = {"cancelled", "all_day", "no_join_url", "ended"}

# A small alphabet, so that generated people and domains often collide and rules fire.
labels = st.text(alphabet="abc1", min_size=1, max_size=3)
domains = st.lists(labels, min_size=2, max_size=3).map(".".join)
emails = st.builds(lambda local, domain: f"{local}@{domain}", labels, domains)
mixed_case = emails.flatmap(lambda e: st.sampled_from([e, e.upper(), f"mailto:{e}", f" {e} "]))
raw_emails = st.one_of(mixed_case, st.just(""), st.text(max_size=12))
partstats = st.one_of(
    st.none(),
    st.sampled_from(["ACCEPTED", "DECLINED", "TENTATIVE", "NEEDS-ACTION", "declined"]),
    st.text(max_size=8),
)
attendees = st.builds(AttendeeFact, email=raw_emails, partstat=partstats)
keywords = st.sampled_from(["private", "1:1", "[no record]", "ab", "c1"])
titles = st.one_of(st.text(max_size=30), st.lists(keywords | labels, max_size=4).map(" ".join))


def facts_with(**fixed: Any) -> st.SearchStrategy[MeetingFacts]:
    drawn: dict[str, Any] = {
        "title": titles,
        "has_link": st.booleans(),
        "organizer": st.none() | raw_emails,
        "attendees": st.lists(attendees, max_size=6).map(tuple),
        "owner_email": st.none() | raw_emails,
        "all_day": st.booleans(),
        "cancelled": st.booleans(),
        "tentative": st.booleans(),
        "ended": st.booleans(),
        "override": st.none() | st.sampled_from(Override),
    }
    drawn.update({name: st.just(value) for name, value in fixed.items()})
    return st.builds(MeetingFacts, **drawn)


any_facts = facts_with()
timed = facts_with(has_link=True, all_day=False, cancelled=False, ended=False)


@st.composite
def any_rules(draw: st.DrawFn) -> RecordingRules:
    low, high = sorted(draw(st.lists(st.integers(1, 8), min_size=2, max_size=2)))
    entries = st.lists(emails | domains, max_size=3)
    never = draw(entries)
    always = [e for e in draw(entries) if e.lower() not in {n.lower() for n in never}]
    values = {
        "mode": draw(st.sampled_from(["all", "external_only", "internal_only"])),
        "company_domains": draw(st.lists(domains, min_size=1, max_size=2)),
        "require_company_organizer": draw(st.booleans()),
        "min_attendees": draw(st.none() | st.just(low)),
        "max_attendees": draw(st.none() | st.just(high)),
        "skip_title_keywords": draw(st.lists(keywords, max_size=2)),
        "skip_declined": draw(st.booleans()),
        "skip_tentative": draw(st.booleans()),
        "skip_tentative_events": draw(st.booleans()),
        "never_record": never,
        "always_record": always,
    }
    return RecordingRules.model_validate(values)


@given(any_facts, any_rules())
def test_decide_is_total_deterministic_and_explained_in_one_line(
    facts: MeetingFacts, rules: RecordingRules
) -> None:
    decision = decide(facts, rules)
    assert decide(facts, rules) == decision
    assert decision.record == (decision.reason in RECORDING)
    text = explain(decision)
    assert text.startswith("recorded: " if decision.record else "skipped: ")
    assert "\n" not in text


@given(timed.filter(lambda f: f.override is not Override.SKIP))
def test_default_rules_record_every_timed_linked_live_meeting(facts: MeetingFacts) -> None:
    decision = decide(facts, RecordingRules())
    assert decision.record
    assert decision.reason == (None if facts.override is None else "manual_record")


@given(any_facts, any_rules())
def test_structural_reasons_beat_any_rule_and_any_override(
    facts: MeetingFacts, rules: RecordingRules
) -> None:
    structural = facts.cancelled or facts.all_day or not facts.has_link or facts.ended
    assert (decide(facts, rules).reason in STRUCTURAL) == structural


@given(timed, any_rules(), st.sampled_from([None, Override.RECORD]), emails)
def test_a_never_record_person_stops_any_rule_but_not_a_manual_record(
    facts: MeetingFacts, rules: RecordingRules, override: Override | None, email: str
) -> None:
    rules = rules.model_copy(update={"never_record": (email,), "always_record": ()})
    facts = replace(facts, override=override, attendees=(AttendeeFact(email=email.upper()),))
    expected = "never_record" if override is None else "manual_record"
    assert decide(facts, rules).reason == expected


@given(any_facts, any_rules(), st.randoms(use_true_random=False))
def test_the_order_of_attendees_does_not_change_the_verdict(
    facts: MeetingFacts, rules: RecordingRules, rng: random.Random
) -> None:
    shuffled = list(facts.attendees)
    rng.shuffle(shuffled)
    before = decide(facts, rules)
    after = decide(replace(facts, attendees=tuple(shuffled)), rules)
    assert (after.record, after.reason) == (before.record, before.reason)


@given(timed, any_rules())
def test_the_case_of_emails_does_not_change_the_verdict(
    facts: MeetingFacts, rules: RecordingRules
) -> None:
    shouted = replace(
        facts,
        organizer=facts.organizer.upper() if facts.organizer else None,
        owner_email=facts.owner_email.upper() if facts.owner_email else None,
        attendees=tuple(replace(a, email=a.email.upper()) for a in facts.attendees),
    )
    assume(all(e.isascii() for e in (facts.organizer or "", facts.owner_email or "")))
    assume(all(a.email.isascii() for a in facts.attendees))
    assert decide(shouted, rules).reason == decide(facts, rules).reason


@given(st.lists(labels, min_size=1, max_size=4), st.lists(labels, min_size=1, max_size=4))
def test_a_host_is_in_a_domain_exactly_when_its_labels_end_with_the_domains(
    host: list[str], domain: list[str]
) -> None:
    expected = host[-len(domain) :] == domain and len(host) >= len(domain)
    assert in_domain(".".join(host), ".".join(domain)) == expected


WORDY = "ab1 :-[]"


@given(st.text(alphabet=WORDY, max_size=20), st.text(alphabet=WORDY, min_size=1, max_size=4))
def test_keywords_match_as_whole_words_like_a_regex_with_boundaries(
    title: str, keyword: str
) -> None:
    before = r"(?<![a-z0-9])" if keyword[0].isalnum() else ""
    after = r"(?![a-z0-9])" if keyword[-1].isalnum() else ""
    expected = re.search(before + re.escape(keyword) + after, title) is not None
    assert contains_keyword(title, keyword) == expected
