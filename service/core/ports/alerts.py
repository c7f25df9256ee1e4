"""The alerts port: the process's conditions, told when they start, last and clear."""

from __future__ import annotations

from typing import Protocol

from service.core.conditions import Kind
from service.core.errors import MaveraError


class Alerts(Protocol):
    """Failures counted as conditions, so a lasting problem costs a few log lines rather than
    one a tick; shared by the runner's passes, the Mavera client and the replanner.

    No method raises: telling a condition never fails the work that reports it.
    """

    def failed(
        self,
        kind: Kind,
        cause: str,
        *,
        source: str = "",
        subject: str = "",
        key: str = "",
        exc: BaseException | None = None,
    ) -> None:
        """Count one failure of ``kind``; tell the condition when a line is due (with
        ``exc``'s traceback, if given)."""
        ...

    def succeeded(self, kind: Kind, *, source: str = "", subject: str | None = None) -> None:
        """Count one success of ``kind``; tell the conditions it clears."""
        ...

    def mavera_failed(self, exc: MaveraError, *, request: str, source: str) -> None:
        """A Mavera request failed: counted only if Mavera or the account is the cause."""
        ...

    def mavera_succeeded(self, *, source: str) -> None:
        """A Mavera request of ``source``'s kind succeeded: clears its Mavera conditions."""
        ...

    def pass_failed(self, what: str, exc: BaseException) -> None:
        """A step of a periodic pass raised: told as an outage (the database) or a bug."""
        ...

    def pass_succeeded(self, what: str) -> None:
        """A step of a periodic pass succeeded: clears its outage and bug conditions."""
        ...

    def active(self) -> list[str]:
        """The conditions that have not cleared yet, by name."""
        ...
