"""RecordingRules: the ``rules:`` section of config.yaml, checked and normalized on load."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator


class Mode(StrEnum):
    """Which audiences are recorded, judged by ``company_domains``."""

    ALL = "all"
    EXTERNAL_ONLY = "external_only"
    INTERNAL_ONLY = "internal_only"


def _split(value: object) -> object:
    # An environment variable gives one string: "a.com, b.com" means a list of two.
    if isinstance(value, str):
        return tuple(item for item in (part.strip() for part in value.split(",")) if item)
    return value


def _domain(value: str) -> str:
    domain = value.strip().lower().removeprefix("@")
    if "@" in domain:
        raise ValueError(f"{value!r} is an email address; expected a domain such as acme.com")
    labels = domain.split(".")
    if len(labels) < 2 or not all(labels):
        raise ValueError(f"{value!r} is not a domain such as acme.com")
    if not all(ch.isalnum() or ch == "-" for label in labels for ch in label):
        raise ValueError(f"{value!r} is not a domain such as acme.com")
    return domain


def _person_or_domain(value: str) -> str:
    entry = value.strip().lower()
    local, at, domain = entry.rpartition("@")
    if not at or not local:
        return _domain(value)
    if any(ch.isspace() or ch == "@" for ch in local):
        raise ValueError(f"{value!r} is not an email address such as sam@acme.com")
    try:
        return f"{local}@{_domain(domain)}"
    except ValueError:
        raise ValueError(f"{value!r} is not an email address such as sam@acme.com") from None


def _keyword(value: str) -> str:
    keyword = " ".join(value.split())
    if not keyword:
        raise ValueError("a title keyword must not be empty")
    return keyword


Domains = Annotated[tuple[Annotated[str, AfterValidator(_domain)], ...], BeforeValidator(_split)]
People = Annotated[
    tuple[Annotated[str, AfterValidator(_person_or_domain)], ...], BeforeValidator(_split)
]
Keywords = Annotated[tuple[Annotated[str, AfterValidator(_keyword)], ...], BeforeValidator(_split)]


class RecordingRules(BaseModel):
    """Which meetings get a bot. The defaults record every timed meeting with a join link;
    every other rule is opt-in. See ``service.core.rules`` for the evaluation order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Mode = Mode.ALL
    company_domains: Domains = ()
    require_company_organizer: bool = False
    min_attendees: int | None = Field(default=None, ge=1)
    max_attendees: int | None = Field(default=None, ge=1)
    skip_title_keywords: Keywords = ()
    skip_declined: bool = False
    skip_tentative: bool = False
    skip_tentative_events: bool = False
    never_record: People = ()
    always_record: People = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        for problem in (self._domains_problem(), self._range_problem(), self._lists_problem()):
            if problem is not None:
                raise ValueError(problem)
        return self

    def _domains_problem(self) -> str | None:
        if self.company_domains:
            return None
        if self.mode is not Mode.ALL:
            return f"mode {self.mode} needs company_domains to tell who is external"
        if self.require_company_organizer:
            return "require_company_organizer needs company_domains to tell who is a member"
        return None

    def _range_problem(self) -> str | None:
        low, high = self.min_attendees, self.max_attendees
        if low is not None and high is not None and low > high:
            return f"min_attendees ({low}) must not be greater than max_attendees ({high})"
        return None

    def _lists_problem(self) -> str | None:
        both = sorted(set(self.never_record) & set(self.always_record))
        if both:
            return f"listed in both never_record and always_record: {', '.join(both)}"
        return None
