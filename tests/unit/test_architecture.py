"""The core modules import no framework and no adapter: dependencies point inward."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICE = ROOT / "service"
CORE_MODULES = (
    "model.py",
    "lifecycle.py",
    "planning.py",
    "polling.py",
    "matching.py",
    "sliding_window.py",
    "errors.py",
    "ports.py",
    "importing.py",
    "timestamps.py",
    "untrusted.py",
    "conditions.py",
)
CORE_PACKAGES = ("meeting_links",)
FORBIDDEN = (
    "aiohttp",
    "sqlalchemy",
    "apscheduler",
    "alembic",
    "asyncpg",
    "aiosqlite",
    "click",
    "service.store",
    "service.mavera",
    "service.simulator",
    "service.app",
    "service.cli",
    "service.runner",
)


def core_files() -> list[Path]:
    files = [SERVICE / name for name in CORE_MODULES]
    for package in CORE_PACKAGES:
        files.extend(sorted((SERVICE / package).rglob("*.py")))
    return files


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


def test_every_listed_core_module_exists() -> None:
    missing = [str(path) for path in core_files() if not path.is_file()]
    assert missing == []
    assert len(core_files()) > len(CORE_MODULES)


@pytest.mark.parametrize("path", core_files(), ids=lambda path: str(path.relative_to(SERVICE)))
def test_core_module_imports_no_framework_or_adapter(path: Path) -> None:
    imported = imported_modules(path.read_text(encoding="utf-8"), package=package_of(path))
    assert sorted(name for name in imported if forbidden(name)) == []


def test_the_check_catches_every_import_form() -> None:
    source = """
import aiohttp.web
import click as cli
from sqlalchemy.ext import asyncio
from service import store
from service.mavera.client import MaveraClient
from .. import runner
from ..simulator import app

def later() -> None:
    import apscheduler
"""
    imported = imported_modules(source, package="service.meeting_links")
    assert sorted(name for name in imported if forbidden(name)) == [
        "aiohttp.web",
        "apscheduler",
        "click",
        "service.mavera.client",
        "service.mavera.client.MaveraClient",
        "service.runner",
        "service.simulator",
        "service.simulator.app",
        "service.store",
        "sqlalchemy.ext",
        "sqlalchemy.ext.asyncio",
    ]


def test_the_check_allows_the_core_and_look_alike_names() -> None:
    source = """
from service.model import Bot
from service.storefront import x
from . import parts
import clickhouse
import aiohttp_extra
"""
    imported = imported_modules(source, package="service.meeting_links")
    assert {name for name in imported if forbidden(name)} == set()
    assert "service.meeting_links.parts" in imported
