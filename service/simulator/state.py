"""Simulator: the simulated account's bots, keys, credits, rate limits, faults and request log."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from random import Random
from typing import Final

from aiohttp import web

from service.core.model import TERMINAL_STATUSES, BotStatus
from service.core.ports import Clock
from service.simulator.bots import SimBot, choose_outcome, plan_script
from service.simulator.errors import ApiError, not_found, server_error
from service.simulator.pagination import sort_key
from service.simulator.ratelimit import SlidingWindowLimiter
from service.simulator.settings import Faults, SimulatorSettings
from service.simulator.validation import CreateRequest

logger = logging.getLogger(__name__)

KEY_PREFIX: Final = "mvra_live_"
MIN_KEY_LENGTH: Final = 32


def key_hash(key: str) -> str:
    """A stable, non-reversible name for an API key (what inspection shows instead of it)."""
    return "key_" + hashlib.sha256(key.encode()).hexdigest()[:12]


class CreateFault(StrEnum):
    NONE = "none"
    ERROR_AFTER_CREATE = "error_after_create"
    DELAYED = "delayed"


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestRecord:
    """One request the API answered (``route`` is the template, e.g. ``/api/v1/meetings/{id}``)."""

    method: str
    route: str
    status: int
    at: datetime
    key_hash: str | None


def _bearer_key(header: str | None) -> str:
    if header is None or not header.strip():
        raise ApiError(401, "missing_api_key", "no API key: send 'Authorization: Bearer <key>'")
    scheme, _, key = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(401, "invalid_api_key", "the Authorization header must be 'Bearer <key>'")
    return key.strip()


class Simulator:
    """The state behind one simulated API; handlers call it, tests and benchmarks inspect it."""

    def __init__(self, settings: SimulatorSettings, *, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.faults: Faults = settings.faults
        self.credits_left = settings.credits
        self.limiter = SlidingWindowLimiter(limit=settings.rpm)
        self.requests: list[RequestRecord] = []
        self._bots: dict[str, SimBot] = {}
        self._outcome_rng = Random(f"{settings.seed}:outcomes")
        self._id_rng = Random(f"{settings.seed}:ids")
        self._fault_rng = Random(f"{settings.seed}:faults")

    @property
    def bots(self) -> tuple[SimBot, ...]:
        """Every bot ever created, in creation order, cancelled ones included."""
        return tuple(self._bots.values())

    def authenticate(self, header: str | None) -> str:
        """The key hash of a usable key; raises a 401 ``ApiError`` otherwise."""
        key = _bearer_key(header)
        if not key.startswith(KEY_PREFIX) or len(key) < MIN_KEY_LENGTH:
            raise ApiError(401, "invalid_api_key", "the API key is malformed")
        if key in self.settings.revoked_keys:
            raise ApiError(401, "revoked_api_key", "the API key has been revoked")
        if key in self.settings.expired_keys:
            raise ApiError(401, "expired_api_key", "the API key has expired")
        if self.settings.api_keys and key not in self.settings.api_keys:
            raise ApiError(401, "invalid_api_key", "the API key is not known")
        return key_hash(key)

    def create_bot(self, owner: str, wanted: CreateRequest) -> SimBot:
        """Spend a credit and create a bot whose whole script is decided now."""
        self._spend_credit()
        now = self.clock.now()
        join_at = wanted.join_at if wanted.join_at is not None and wanted.join_at > now else None
        start_at = join_at if join_at is not None else now + self.settings.durations.pickup
        outcome = choose_outcome(self.settings.mix, self._outcome_rng)
        bot = SimBot(
            id=self._new_id(),
            owner=owner,
            title=wanted.title,
            meeting_url=wanted.meeting_url,
            platform=wanted.platform,
            bot_name=wanted.bot_name,
            workspace_id=wanted.workspace_id or self.settings.default_workspace_id,
            requested_join_at=wanted.join_at,
            join_at=join_at,
            created_at=now,
            outcome=outcome,
            script=plan_script(
                outcome=outcome,
                created_at=now,
                start_at=start_at,
                durations=self.settings.durations,
                rng=self._outcome_rng,
            ),
        )
        self._bots[bot.id] = bot
        logger.info("simulated bot %s created (%s)", bot.id, outcome, extra={"bot_id": bot.id})
        return bot

    def bot_for(self, owner: str, bot_id: str) -> SimBot:
        """The bot if ``owner`` created it; another key's bot is as unknown as a missing one."""
        bot = self._bots.get(bot_id)
        if bot is None or bot.owner != owner:
            raise not_found("meeting")
        return bot

    def cancel_bot(self, owner: str, bot_id: str, reason: str | None) -> SimBot:
        """Cancel a running or pending bot; a second cancel answers the first one's result."""
        bot = self.bot_for(owner, bot_id)
        now = self.clock.now()
        status = bot.status_at(now)
        if status is BotStatus.CANCELLED:
            return bot
        if status in TERMINAL_STATUSES:
            raise ApiError(
                400,
                "meeting_not_cancellable",
                f"the meeting is already {status.value} and can no longer be cancelled",
            )
        cancelled = bot.cancel(at=now, by="user_" + owner.removeprefix("key_"), reason=reason)
        self._bots[bot_id] = cancelled
        logger.info("simulated bot %s cancelled", bot_id, extra={"bot_id": bot_id})
        return cancelled

    def delete_bot(self, bot_id: str) -> SimBot | None:
        """Forget a bot as if Mavera lost it (or the key moved to another account): from
        now on it is answered with 404 and left out of lists. None if there was no such bot."""
        bot = self._bots.pop(bot_id, None)
        if bot is not None:
            logger.info("simulated bot %s deleted", bot_id, extra={"bot_id": bot_id})
        return bot

    def bots_of(self, owner: str, workspace_id: str | None) -> list[SimBot]:
        """``owner``'s bots, newest first, optionally in one workspace."""
        mine = [
            bot
            for bot in self._bots.values()
            if bot.owner == owner and workspace_id in (None, bot.workspace_id)
        ]
        return sorted(mine, key=sort_key, reverse=True)

    def draw_server_error(self) -> ApiError | None:
        """A 500 or 503 for ``error_rate`` of requests, decided before anything happens."""
        if not self._chance(self.faults.error_rate):
            return None
        return server_error(self._fault_rng.choice((500, 503)))

    def draw_create_fault(self) -> CreateFault:
        if self._chance(self.faults.error_after_create_rate):
            return CreateFault.ERROR_AFTER_CREATE
        if self._chance(self.faults.delayed_create_rate):
            return CreateFault.DELAYED
        return CreateFault.NONE

    def record(self, record: RequestRecord) -> None:
        self.requests.append(record)

    def _chance(self, rate: float) -> bool:
        # No draw at rate 0, so turning one knob on does not reshuffle the others' draws.
        return rate > 0 and self._fault_rng.random() < rate

    def _spend_credit(self) -> None:
        if self.credits_left is None:
            return
        if self.credits_left <= 0:
            raise ApiError(402, "credits_exhausted", "no credits left on this account")
        self.credits_left -= 1

    def _new_id(self) -> str:
        while True:
            bot_id = f"meeting_{self._id_rng.getrandbits(96):024x}"
            if bot_id not in self._bots:
                return bot_id


SIMULATOR_KEY: Final = web.AppKey("simulator", Simulator)
