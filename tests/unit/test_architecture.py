"""The core imports no framework, no IO module and no outer layer: dependencies point inward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE = ROOT / "service"
CORE = SERVICE / "core"
FRAMEWORKS = ("aiohttp", "sqlalchemy", "apscheduler", "alembic", "asyncpg", "aiosqlite", "click")
# The core decides; it never waits on the world or reads the clock.
IO_MODULES = ("asyncio", "os", "pathlib", "shutil", "socket", "sqlite3", "subprocess", "time")
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


def core_files() -> list[Path]:
    return sorted(CORE.rglob("*.py"))


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).parent.parts)


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


def _absolute(module: str | None, *, level: int, package: str) -> str:
    if level == 0:
        return module or ""
    parts = package.split(".")
    anchor = parts[: len(parts) - (level - 1)]
    return ".".join([*anchor, module] if module else anchor)


def forbidden(module: str) -> bool:
    return any(module == root or module.startswith(f"{root}.") for root in FORBIDDEN)


def test_the_core_holds_the_domain() -> None:
    names = {str(path.relative_to(CORE)) for path in core_files()}
    assert {"model.py", "ports.py", "bot_states.py", "planner.py", "rules/checks.py"} <= names


@pytest.mark.parametrize("path", core_files(), ids=lambda path: str(path.relative_to(SERVICE)))
def test_core_module_imports_no_framework_or_adapter(path: Path) -> None:
    imported = imported_modules(path.read_text(encoding="utf-8"), package=package_of(path))
    assert sorted(name for name in imported if forbidden(name)) == []


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
