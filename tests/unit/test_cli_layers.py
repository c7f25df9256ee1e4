"""The command line builds nothing concrete: it asks the composition root for use cases and
never constructs a store, an engine, a client or a clock, nor runs SQL; and no module but the
composition root (and the adapters themselves) reaches an adapter."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[2] / "service"
CLI = SERVICE / "cli"
# Frameworks and adapters the command line reaches only through service.composition. The
# feeds' bounded reader is the one exception: it reads a file named on the command line.
FORBIDDEN = ("sqlalchemy", "aiohttp", "apscheduler", "service.adapters")
ALLOWED = ("service.adapters.feeds.fetch",)


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def forbidden(name: str) -> bool:
    if any(name == allowed or name.startswith(f"{allowed}.") for allowed in ALLOWED):
        return False
    return any(name == root or name.startswith(f"{root}.") for root in FORBIDDEN)


@pytest.mark.parametrize("path", sorted(CLI.glob("*.py")), ids=lambda path: path.name)
def test_a_cli_module_reaches_stores_and_clients_only_through_the_composition_root(
    path: Path,
) -> None:
    assert sorted(name for name in imports(path) if forbidden(name)) == []
    source = path.read_text(encoding="utf-8")
    assert "Sql" not in source
    assert "make_engine" not in source
    assert "SystemClock" not in source


# Outside the adapters and the composition root, only these reach an adapter: the command
# line's bounded file reader, and the simulator's clock (the simulator is its own program).
ADAPTER_USERS = {
    "cli/common.py": {"service.adapters.feeds.fetch"},
    "simulator/server.py": {"service.adapters.clock"},
}
OUTSIDE = [
    path
    for path in sorted(SERVICE.rglob("*.py"))
    if path.relative_to(SERVICE).parts[0] not in ("adapters", "composition")
]


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda path: path.relative_to(SERVICE).as_posix())
def test_only_the_composition_root_builds_adapters(path: Path) -> None:
    reached = {
        name
        for name in imports(path)
        if name == "service.adapters" or name.startswith("service.adapters.")
    }
    assert reached <= ADAPTER_USERS.get(path.relative_to(SERVICE).as_posix(), set())
