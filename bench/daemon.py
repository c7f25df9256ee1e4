"""How a benchmark configures the daemon: environment, planner policy, API key."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final, Literal

Policy = Literal["just_in_time", "as_soon_as_known", "fixed_lead"]
POLICIES: Final[tuple[Policy, ...]] = ("just_in_time", "as_soon_as_known", "fixed_lead")
# Any key the simulator accepts: the mvra_live_ prefix and at least 32 characters.
API_KEY: Final = "mvra_live_bench_0123456789abcdef0123"


def conf(section: str, key: str, value: object) -> dict[str, str]:
    """One config override as the daemon reads it: ``AUTOJOIN_<SECTION>__<KEY>``."""
    return {f"AUTOJOIN_{section.upper()}__{key.upper()}": str(value)}


def planner_env(policy: Policy, *, min_lead: float | None = None) -> dict[str, str]:
    """The overrides that select a dispatch policy (the one place that knows the keys)."""
    env = conf("planner", "policy", policy)
    if min_lead is not None:
        env |= conf("planner", "min_lead_seconds", min_lead)
    return env


def default_min_lead() -> float:
    """The planner's min lead when the benchmark sets none: the daemon's default (seconds)."""
    from service.config import Settings

    return Settings().planner.min_lead.total_seconds()


def clean_environ() -> dict[str, str]:
    """This process's environment without any autojoin or Mavera setting (runs are explicit)."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AUTOJOIN_", "MAVERA_"))
    }


def daemon_env(
    *, database_url: str, base_url: str, rpm: int, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The full environment of one daemon (also used for its migrate and import)."""
    return {
        **clean_environ(),
        "AUTOJOIN_DATABASE_URL": database_url,
        "MAVERA_BASE_URL": base_url,
        "MAVERA_API_KEY": API_KEY,
        **conf("mavera", "requests_per_minute", rpm),
        **(extra or {}),
    }
