"""ApiKey: the Mavera API key as a value that never shows itself (loaded by ``credentials``)."""

from __future__ import annotations

from service.core.errors import ConfigError

KEY_ENV = "MAVERA_API_KEY"


class ApiKey:
    """A secret whose ``repr`` and ``str`` never show it; only ``reveal()`` does."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value or any(ch.isspace() for ch in value):
            raise ConfigError(KEY_ENV, "the API key is empty or contains whitespace")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "ApiKey(<redacted>)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)
