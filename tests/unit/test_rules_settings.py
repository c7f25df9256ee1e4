"""RecordingRules: defaults, normalization of what operators type, and validation messages."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from service.core.rules import Mode, RecordingRules

YAML = """\
rules:
  mode: external_only
  company_domains: [Acme.COM, "@acme.de", " sales.acme.io "]
  require_company_organizer: true
  min_attendees: 2
  max_attendees: 40
  skip_title_keywords: ["[no record]", "  Private  ", "1:1"]
  skip_declined: true
  skip_tentative: true
  skip_tentative_events: true
  never_record: [Legal@Acme.com, "@Board.acme.com", competitor.net]
  always_record: [ceo@acme.com]
"""


class Mounted(BaseModel):
    """How Settings mounts the section."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rules: RecordingRules = RecordingRules()


def test_defaults_record_everything_and_switch_every_filter_off() -> None:
    rules = RecordingRules()
    assert rules.mode is Mode.ALL
    assert (rules.company_domains, rules.skip_title_keywords) == ((), ())
    assert (rules.never_record, rules.always_record) == ((), ())
    assert (rules.min_attendees, rules.max_attendees) == (None, None)
    flags = (rules.require_company_organizer, rules.skip_declined, rules.skip_tentative)
    assert flags == (False, False, False)
    assert rules.skip_tentative_events is False
    assert Mounted().rules == rules == RecordingRules.model_validate({})


def test_yaml_values_are_normalized() -> None:
    rules = Mounted.model_validate(yaml.safe_load(YAML)).rules
    assert rules.mode is Mode.EXTERNAL_ONLY
    assert rules.company_domains == ("acme.com", "acme.de", "sales.acme.io")
    assert rules.require_company_organizer is True
    assert (rules.min_attendees, rules.max_attendees) == (2, 40)
    assert rules.skip_title_keywords == ("[no record]", "Private", "1:1")
    assert (rules.skip_declined, rules.skip_tentative, rules.skip_tentative_events) == (
        True,
        True,
        True,
    )
    assert rules.never_record == ("legal@acme.com", "board.acme.com", "competitor.net")
    assert rules.always_record == ("ceo@acme.com",)


def test_a_comma_separated_string_is_a_list_as_environment_variables_give_it() -> None:
    rules = RecordingRules.model_validate(
        {
            "company_domains": "acme.com, @Acme.de,",
            "never_record": "a@b.com",
            "skip_title_keywords": "private, 1:1",
            "min_attendees": "3",
            "skip_declined": "true",
        }
    )
    assert rules.company_domains == ("acme.com", "acme.de")
    assert rules.never_record == ("a@b.com",)
    assert rules.skip_title_keywords == ("private", "1:1")
    assert (rules.min_attendees, rules.skip_declined) == (3, True)


def test_rules_are_frozen_and_hashable() -> None:
    rules = RecordingRules.model_validate({"company_domains": ["acme.com"]})
    with pytest.raises(ValidationError, match="frozen"):
        rules.mode = Mode.INTERNAL_ONLY  # type: ignore[misc]  # asserting it is refused
    assert hash(rules) == hash(RecordingRules.model_validate({"company_domains": "acme.com"}))


def invalid(values: dict[str, Any], loc: tuple[str | int, ...], message: str) -> Any:
    return pytest.param(values, loc, message, id=message[:40])


def value_error(text: str) -> str:
    return f"Value error, {text}"


ERRORS = [
    invalid(
        {"mode": "external_only"},
        (),
        value_error("mode external_only needs company_domains to tell who is external"),
    ),
    invalid(
        {"mode": "internal_only", "company_domains": []},
        (),
        value_error("mode internal_only needs company_domains to tell who is external"),
    ),
    invalid(
        {"require_company_organizer": True},
        (),
        value_error("require_company_organizer needs company_domains to tell who is a member"),
    ),
    invalid(
        {"min_attendees": 5, "max_attendees": 4},
        (),
        value_error("min_attendees (5) must not be greater than max_attendees (4)"),
    ),
    invalid({"min_attendees": 0}, ("min_attendees",), "Input should be greater than or equal to 1"),
    invalid(
        {"max_attendees": -2}, ("max_attendees",), "Input should be greater than or equal to 1"
    ),
    invalid(
        {"company_domains": ["x@acme.com"]},
        ("company_domains", 0),
        value_error("'x@acme.com' is an email address; expected a domain such as acme.com"),
    ),
    invalid(
        {"company_domains": ["acme.com", "ACME"]},
        ("company_domains", 1),
        value_error("'ACME' is not a domain such as acme.com"),
    ),
    invalid(
        {"never_record": ["@ACME"]},
        ("never_record", 0),
        value_error("'@ACME' is not a domain such as acme.com"),
    ),
    invalid(
        {"company_domains": ["acme..com"]},
        ("company_domains", 0),
        value_error("'acme..com' is not a domain such as acme.com"),
    ),
    invalid(
        {"company_domains": ["acme.com/x"]},
        ("company_domains", 0),
        value_error("'acme.com/x' is not a domain such as acme.com"),
    ),
    invalid(
        {"never_record": ["sam@"]},
        ("never_record", 0),
        value_error("'sam@' is not an email address such as sam@acme.com"),
    ),
    invalid(
        {"never_record": ["a@b@acme.com"]},
        ("never_record", 0),
        value_error("'a@b@acme.com' is not an email address such as sam@acme.com"),
    ),
    invalid(
        {"always_record": ["sam smith@acme.com"]},
        ("always_record", 0),
        value_error("'sam smith@acme.com' is not an email address such as sam@acme.com"),
    ),
    invalid(
        {"always_record": ["@"]},
        ("always_record", 0),
        value_error("'@' is not a domain such as acme.com"),
    ),
    invalid(
        {"skip_title_keywords": ["ok", " \t "]},
        ("skip_title_keywords", 1),
        value_error("a title keyword must not be empty"),
    ),
    invalid(
        {"never_record": ["a.com", "x@b.com"], "always_record": ["X@B.com", "@A.com"]},
        (),
        value_error("listed in both never_record and always_record: a.com, x@b.com"),
    ),
    invalid(
        {"mode": "everything"},
        ("mode",),
        "Input should be 'all', 'external_only' or 'internal_only'",
    ),
    invalid({"skip_titles": ["x"]}, ("skip_titles",), "Extra inputs are not permitted"),
]


@pytest.mark.parametrize(("values", "loc", "message"), ERRORS)
def test_invalid_rules_are_refused_with_a_clear_message(
    values: dict[str, Any], loc: tuple[str | int, ...], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        RecordingRules.model_validate(values)
    first = caught.value.errors()[0]
    assert (first["loc"], first["msg"]) == (loc, message)


def test_errors_are_reported_under_the_rules_section() -> None:
    with pytest.raises(ValidationError) as caught:
        Mounted.model_validate({"rules": {"min_attendees": 3, "max_attendees": 1}})
    assert caught.value.errors()[0]["loc"] == ("rules",)
