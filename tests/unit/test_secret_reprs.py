"""Objects that hold secrets never show them in their repr (a log line or a traceback)."""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import Iterator

import pytest

from service.config import Settings
from service.core import model
from service.core.dispatch import claims
from service.logging_setup import QUIET_LOGGERS, configure_logging

SECRET_FIELDS = {"meeting_url", "location"}


def test_settings_hide_the_database_password() -> None:
    settings = Settings.model_validate(
        {"database": {"url": "postgresql+asyncpg://autojoin:hunter2@db.internal/autojoin"}}
    )
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings)
    assert settings.database.url.endswith("hunter2@db.internal/autojoin")


def test_model_objects_hide_meeting_links_and_feed_urls() -> None:
    # The claim values moved from ``model`` to ``core.dispatch.claims``: both are read.
    classes = {
        cls for module in (model, claims) for cls in vars(module).values() if inspect.isclass(cls)
    }
    holders = [
        (cls.__name__, field.name, field.repr)
        for cls in sorted(classes, key=lambda cls: cls.__name__)
        if dataclasses.is_dataclass(cls)
        for field in dataclasses.fields(cls)
        if field.name in SECRET_FIELDS
    ]
    assert len(holders) >= 7
    assert [h for h in holders if h[2]] == []


@pytest.fixture
def library_levels() -> Iterator[None]:
    levels = {name: logging.getLogger(name).level for name in QUIET_LOGGERS}
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("library_levels")
def test_library_loggers_stay_at_warning_when_the_service_logs_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    configure_logging("DEBUG")
    for name in ("aiosqlite", "sqlalchemy.engine.Engine", "asyncpg", "aiohttp.client", "asyncio"):
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
    assert logging.getLogger("service.usecases.sync_calendars").getEffectiveLevel() == logging.DEBUG
