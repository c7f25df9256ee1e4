"""FakeAlerts: the ``Alerts`` port as a record of what was told, for a test to read."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.core.conditions import Kind
from service.core.errors import MaveraError


@dataclass(slots=True)
class FakeAlerts:
    failures: list[tuple[Kind, str]] = field(default_factory=list)
    successes: list[Kind] = field(default_factory=list)

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
        self.failures.append((kind, cause))

    def succeeded(self, kind: Kind, *, source: str = "", subject: str | None = None) -> None:
        self.successes.append(kind)

    def mavera_failed(self, exc: MaveraError, *, request: str, source: str) -> None:
        return None

    def mavera_succeeded(self, *, source: str) -> None:
        return None

    def pass_failed(self, what: str, exc: BaseException) -> None:
        return None

    def pass_succeeded(self, what: str) -> None:
        return None

    def active(self) -> list[str]:
        cleared = set(self.successes)
        return sorted({kind.name for kind, _ in self.failures if kind not in cleared})
