"""The runner: when the daemon's passes run (``scheduler``: APScheduler, or a burst) and
what each of them does (``passes``)."""

from __future__ import annotations

from service.adapters.runner.passes import Parts, RunnerSettings
from service.adapters.runner.scheduler import QuietSkips, Runner

__all__ = ["Parts", "QuietSkips", "Runner", "RunnerSettings"]
