"""The Mavera API key: read from the environment or a file, never printed."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from service.core.errors import ConfigError

KEY_ENV = "MAVERA_API_KEY"
KEY_FILE_ENV = "MAVERA_API_KEY_FILE"


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


def load_api_key(environ: Mapping[str, str], key_file: Path | None) -> ApiKey | None:
    """The key from MAVERA_API_KEY, else from MAVERA_API_KEY_FILE or the configured file."""
    if environ.get(KEY_ENV):
        return ApiKey(environ[KEY_ENV])
    path_text = environ.get(KEY_FILE_ENV)
    path = Path(path_text) if path_text else key_file
    if path is None:
        return None
    # From the environment, name the variable rather than its value: a key pasted where its
    # path belongs must not be echoed. A path in config.yaml is no secret and helps more.
    where = KEY_FILE_ENV if path_text else str(path)
    try:
        return ApiKey(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(where, f"cannot read the API key file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(where, "the API key file is not UTF-8 text") from None
