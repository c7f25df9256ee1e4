"""Loading the Mavera API key from the environment or a file; the key itself is a core value
that is never printed (``core.api_key``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from service.core.api_key import KEY_ENV, ApiKey
from service.core.errors import ConfigError

KEY_FILE_ENV = "MAVERA_API_KEY_FILE"
__all__ = ["KEY_ENV", "KEY_FILE_ENV", "ApiKey", "load_api_key"]


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
