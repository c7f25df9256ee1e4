"""The composition root: the one place that builds concrete objects from Settings.

Everything with a life is built here, on resources opened here in order and closed in
reverse: the database lock and engine, the Mavera client and the request budget, the feed
session and the parser pool, the runner, and the use cases. ``service.app`` runs the daemon
it gets from ``open_daemon``; a command (the CLI, later the HTTP API) calls the use cases of
``open_use_cases`` (or ``use_cases``, on resources it already holds) and never builds a
store, an engine or a client itself. ``settings`` turns the config tree into each part's
own settings.
"""

from __future__ import annotations

from service.composition.daemon import Daemon, build_daemon, make_calendar_sync
from service.composition.resources import (
    Opened,
    migrate,
    open_daemon,
    open_engine,
    open_use_cases,
)
from service.composition.settings import feed_limits, fetch_settings, read_settings
from service.composition.use_cases import UseCases, import_meetings, preview_feed, use_cases

__all__ = [
    "Daemon",
    "Opened",
    "UseCases",
    "build_daemon",
    "feed_limits",
    "fetch_settings",
    "import_meetings",
    "make_calendar_sync",
    "migrate",
    "open_daemon",
    "open_engine",
    "open_use_cases",
    "preview_feed",
    "read_settings",
    "use_cases",
]
