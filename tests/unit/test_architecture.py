"""Dependencies point inward: every module of ``service/`` is in one known layer, and each
layer imports only what it may.

- core: no framework, no IO module, no outer layer;
- use cases: only the core, other use cases and the standard library (no IO module);
- adapters: the core and their own package (the runner also the use cases it drives), never
  another adapter nor anything outside the core;
- the composition root (``service/composition/``) may import everything: it builds them.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE = ROOT / "service"
CORE = SERVICE / "core"
USECASES = SERVICE / "usecases"
ADAPTERS = SERVICE / "adapters"
FRAMEWORKS = ("aiohttp", "sqlalchemy", "apscheduler", "alembic", "asyncpg", "aiosqlite", "click")
# The core decides; it never waits on the world or reads the clock.
IO_MODULES = ("asyncio", "os", "pathlib", "shutil", "socket", "sqlite3", "subprocess", "time")
# Use cases wait on ports (asyncio is theirs), but never reach the world themselves.
USECASE_IO_MODULES = (
    *(name for name in IO_MODULES if name != "asyncio"),
    *("concurrent", "ctypes", "fcntl", "http", "multiprocessing", "signal", "ssl", "urllib"),
)
OUTER_LAYERS = (
    "service.adapters",
    "service.usecases",
    "service.app",
    "service.composition",
    "service.cli",
    "service.config",
    "service.credentials",
    "service.demo",
    "service.logging_setup",
    "service.simulator",
)
FORBIDDEN = FRAMEWORKS + IO_MODULES + OUTER_LAYERS
# The folders of service/, one layer each (the composition root among them), and the modules
# at the top: the daemon's run, the configuration and the entry points.
LAYER_FOLDERS = ("core", "usecases", "adapters", "composition", "cli", "simulator")
TOP_MODULES = frozenset(
    ("__init__", "__main__", "app", "config", "credentials", "demo", "logging_setup")
)
# Adapters whose driving needs the use cases: the runner fires them.
DRIVERS = ("service.adapters.runner",)


def files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).parent.parts)


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, *, package: str) -> set[str]:
    """Every module a source imports, anywhere in it; ``from a import b`` yields a and a.b."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, level=node.level, package=package)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(encoding="utf-8"), package=package_of(path))


def _absolute(module: str | None, *, level: int, package: str) -> str:
    if level == 0:
        return module or ""
    parts = package.split(".")
    anchor = parts[: len(parts) - (level - 1)]
    return ".".join([*anchor, module] if module else anchor)


def within(module: str, *roots: str) -> bool:
    return any(module == root or module.startswith(f"{root}.") for root in roots)


def forbidden(module: str) -> bool:
    return within(module, *FORBIDDEN)


def usecase_violations(imported: set[str]) -> list[str]:
    """What a use case may not import: anything but the core, the use cases and the
    standard library, and of that library the modules that reach the world."""
    return sorted(
        name
        for name in imported
        if not within(name, "service.core", "service.usecases")
        and (name.split(".")[0] not in sys.stdlib_module_names or within(name, *USECASE_IO_MODULES))
    )


def adapter_of(module: str) -> str:
    """The adapter a module belongs to: its package under adapters/, or the module itself."""
    parts = module.split(".")
    return ".".join(parts[:3])


def adapter_violations(imported: set[str], *, adapter: str) -> list[str]:
    """The modules of service/ an adapter may not import: anything but the core and its own
    package (and, for a driver, the use cases)."""
    allowed = ("service.core", *(("service.usecases",) if adapter in DRIVERS else ()))
    return sorted(
        name
        for name in imported
        if within(name, "service") and not within(name, *allowed) and not _own(name, adapter)
    )


def _own(module: str, adapter: str) -> bool:
    # The adapters package itself owns no other adapter's modules.
    return module == adapter if adapter == "service.adapters" else within(module, adapter)


def layers_of(path: Path) -> list[str]:
    """Every layer that claims ``path``; exactly one must."""
    relative = path.relative_to(SERVICE)
    claims = [folder for folder in LAYER_FOLDERS if relative.parts[0] == folder]
    if len(relative.parts) == 1 and relative.stem in TOP_MODULES:
        claims.append("top")
    return claims


def test_the_core_holds_the_domain() -> None:
    names = {str(path.relative_to(CORE)) for path in files(CORE)}
    assert {"model.py", "ports/__init__.py", "bot_states.py", "planner.py", "rules/checks.py"} <= (
        names
    )


@pytest.mark.parametrize("path", files(SERVICE), ids=lambda path: str(path.relative_to(SERVICE)))
def test_every_module_belongs_to_exactly_one_known_layer(path: Path) -> None:
    assert len(layers_of(path)) == 1, f"{path.relative_to(ROOT)} is in no known layer"


@pytest.mark.parametrize("path", files(CORE), ids=lambda path: str(path.relative_to(SERVICE)))
def test_core_module_imports_no_framework_or_adapter(path: Path) -> None:
    assert sorted(name for name in imports_of(path) if forbidden(name)) == []


@pytest.mark.parametrize("path", files(USECASES), ids=lambda path: str(path.relative_to(SERVICE)))
def test_use_case_imports_only_the_core_other_use_cases_and_the_standard_library(
    path: Path,
) -> None:
    assert usecase_violations(imports_of(path)) == []


@pytest.mark.parametrize("path", files(ADAPTERS), ids=lambda path: str(path.relative_to(SERVICE)))
def test_adapter_imports_no_other_adapter_and_nothing_outside_the_core(path: Path) -> None:
    module = module_of(path)
    assert adapter_violations(imports_of(path), adapter=adapter_of(module)) == []


def test_every_adapter_is_checked_and_the_units_are_the_adapters() -> None:
    units = {adapter_of(module_of(path)) for path in files(ADAPTERS)}
    assert units == {
        "service.adapters",
        "service.adapters.alerting",
        "service.adapters.clock",
        "service.adapters.feeds",
        "service.adapters.local_budget",
        "service.adapters.mavera",
        "service.adapters.memory",
        "service.adapters.runner",
        "service.adapters.sql",
    }


def test_the_check_catches_every_import_form() -> None:
    source = """
import aiohttp.web
import click as cli
import os.path
from sqlalchemy.ext import asyncio
from service import adapters
from service.adapters.mavera.client import MaveraClient
from ... import cli
from ...simulator import app

def later() -> None:
    import apscheduler
"""
    imported = imported_modules(source, package="service.core.meeting_links")
    assert sorted(name for name in imported if forbidden(name)) == [
        "aiohttp.web",
        "apscheduler",
        "click",
        "os.path",
        "service.adapters",
        "service.adapters.mavera.client",
        "service.adapters.mavera.client.MaveraClient",
        "service.cli",
        "service.simulator",
        "service.simulator.app",
        "sqlalchemy.ext",
        "sqlalchemy.ext.asyncio",
    ]


def test_the_check_allows_the_core_and_look_alike_names() -> None:
    source = """
from service.core.model import Bot
from service.storefront import x
from . import parts
import clickhouse
import aiohttp_extra
"""
    imported = imported_modules(source, package="service.core.meeting_links")
    assert {name for name in imported if forbidden(name)} == set()
    assert "service.core.meeting_links.parts" in imported


def test_the_use_case_check_allows_asyncio_and_refuses_frameworks_io_and_outer_layers() -> None:
    source = """
import asyncio
import logging
from datetime import datetime
from service.core.ports import Clock
from .rebook import rebook
import aiohttp
import os
from concurrent.futures import ProcessPoolExecutor
from tenacity import retry
from service.adapters.sql.calendar_store import SqlCalendarStore
from service.config import Settings
"""
    imported = imported_modules(source, package="service.usecases")
    assert "service.usecases.rebook" in imported
    assert usecase_violations(imported) == [
        "aiohttp",
        "concurrent.futures",
        "concurrent.futures.ProcessPoolExecutor",
        "os",
        "service.adapters.sql.calendar_store",
        "service.adapters.sql.calendar_store.SqlCalendarStore",
        "service.config",
        "service.config.Settings",
        "tenacity",
        "tenacity.retry",
    ]


def test_the_adapter_check_allows_its_own_package_and_refuses_other_adapters() -> None:
    source = """
import aiohttp
from sqlalchemy import select
from service.core.model import Bot
from service.adapters.sql.engine import reading
from .tables import meetings
from service.adapters.local_budget import LocalBudget
from service.adapters import alerting
from service.credentials import ApiKey
from service.usecases.dispatch import Dispatcher
"""
    imported = imported_modules(source, package="service.adapters.sql")
    assert adapter_violations(imported, adapter="service.adapters.sql") == [
        "service.adapters",
        "service.adapters.alerting",
        "service.adapters.local_budget",
        "service.adapters.local_budget.LocalBudget",
        "service.credentials",
        "service.credentials.ApiKey",
        "service.usecases.dispatch",
        "service.usecases.dispatch.Dispatcher",
    ]
    runner = imported_modules(source, package="service.adapters")
    assert "service.usecases.dispatch" not in adapter_violations(
        runner, adapter="service.adapters.runner"
    )


def test_a_module_outside_the_known_layers_is_caught() -> None:
    assert layers_of(SERVICE / "api" / "handlers.py") == []
    assert layers_of(SERVICE / "helpers.py") == []
    assert layers_of(SERVICE / "adapters" / "sql" / "tables.py") == ["adapters"]
    assert layers_of(SERVICE / "app.py") == ["top"]
    assert layers_of(SERVICE / "assembly.py") == []
    assert layers_of(SERVICE / "composition" / "daemon.py") == ["composition"]
