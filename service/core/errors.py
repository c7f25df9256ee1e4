"""The ServiceError tree: every error the service raises on purpose."""

from __future__ import annotations

from typing import Final


class ServiceError(Exception):
    """Base of every error autojoin raises on purpose."""


class ConfigError(ServiceError, ValueError):
    """A configuration value is missing or invalid."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"config error: {key}: {problem}")


class InputError(ServiceError, ValueError):
    """A row of user input (import file, CLI argument) is invalid."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}")


class InvalidMeetingUrl(ServiceError, ValueError):
    """A meeting link that is not a supported, well-formed join URL."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"not a supported meeting link ({reason})")


class MeetingNotFound(ServiceError, LookupError):
    def __init__(self, meeting_id: int) -> None:
        self.meeting_id = meeting_id
        super().__init__(f"no meeting with id {meeting_id}")


class DispatchNotFailed(ServiceError, ValueError):
    """Only a failed dispatch can be retried."""

    def __init__(self, meeting_id: int, state: str) -> None:
        self.meeting_id = meeting_id
        self.state = state
        super().__init__(
            f"meeting {meeting_id} is {state}, not failed: only a failed dispatch is retried"
        )


class CalendarNotFound(InputError, LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"calendar {name!r}", "no such calendar (see `autojoin calendars list`)")


class FeedUnreadable(ServiceError):
    """A calendar's feed could not be read: not fetched, not a calendar, or its reader died.

    Every subclass keeps the feed's address and content out of its message (both may hold
    secrets), so the message can be shown and stored on the calendar as it is.
    """


class StoreLocked(ServiceError):
    """Another daemon already runs on this SQLite database."""

    def __init__(self, path: str) -> None:
        super().__init__(
            f"another autojoin daemon is already running on {path}; "
            "SQLite supports one daemon per database (use PostgreSQL to run several)"
        )


class StoreUnavailable(ServiceError):
    """The database cannot be used: unreachable, refused, missing, read-only, failing.

    ``target`` names the database with any password masked; ``cause`` is one short line.
    """

    def __init__(self, target: str, cause: str) -> None:
        self.target = target
        self.cause = cause
        super().__init__(f"database {target}: {cause}")


class SchemaOutOfDate(ServiceError):
    def __init__(self, current: str | None, head: str) -> None:
        super().__init__(
            f"database schema is at {current or 'nothing'}, code expects {head}: "
            "run `autojoin migrate`"
        )


class MaveraError(ServiceError):
    """A Mavera request that did not succeed; carries the API's code and message."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        prefix = f"HTTP {status}{f' {code}' if code else ''}: " if status else ""
        super().__init__(f"{prefix}{message}")


class MaveraRejected(MaveraError):
    """A 4xx answer: the request was refused and did nothing; retrying will not help."""


class MaveraUnauthorized(MaveraRejected):
    """401: the key is missing, invalid, revoked or expired; every call will fail."""


class MaveraPaymentRequired(MaveraRejected):
    """402: credits exhausted or budget exceeded; every create will fail until fixed."""


class MaveraNotFound(MaveraRejected, LookupError):
    """404: no such meeting at Mavera."""


class MaveraRateLimited(MaveraError):
    """429: over the key's per-minute budget; nothing was done."""

    def __init__(self, message: str, *, retry_after: float, code: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, status=429, code=code)


class MaveraNotSent(MaveraError):
    """The request never reached Mavera (connection refused, connect timeout): nothing happened."""


class SendWindowPassed(MaveraNotSent):
    """The request budget had no room before the time the request had to leave by."""


class MaveraOutcomeUnknown(MaveraError):
    """The request may have been carried out (timeout after sending, reset, 5xx)."""


NOTHING_DONE: Final = (MaveraRateLimited, MaveraNotSent)
"""The Mavera errors after which nothing happened at Mavera: the request may go again later."""
ACCOUNT_REFUSED: Final = (MaveraUnauthorized, MaveraPaymentRequired)
"""The Mavera errors that refuse the key or the account: every call fails until it is fixed."""


class InvalidTransition(ServiceError, ValueError):
    """A dispatch event the state machine does not allow in the meeting's current state."""

    def __init__(self, state: str, event: str) -> None:
        self.state = state
        self.event = event
        super().__init__(f"dispatch event {event!r} is not allowed in state {state!r}")
