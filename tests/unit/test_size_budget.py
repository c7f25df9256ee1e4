"""The size budget of STYLE.md: a module under 300 lines, a function body at most 30."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SERVICE = Path(__file__).resolve().parents[2] / "service"
MODULES = sorted(SERVICE.rglob("*.py"))
MAX_MODULE_LINES = 300
MAX_BODY_LINES = 30


def body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function's body, its docstring not counted."""
    body = node.body
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        body = body[1:]
    if not body:
        return 0
    end = body[-1].end_lineno or body[-1].lineno
    return end - body[0].lineno + 1


def long_functions(source: str) -> list[tuple[str, int]]:
    return [
        (node.name, lines)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (lines := body_lines(node)) > MAX_BODY_LINES
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(SERVICE)))
def test_a_module_stays_within_the_size_budget(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) < MAX_MODULE_LINES
    assert long_functions(source) == []


def test_the_budget_counts_a_body_without_its_docstring() -> None:
    statements = "\n".join(f"    x{i} = {i}" for i in range(31))
    source = f'def long() -> None:\n    """Doc."""\n{statements}\n\n'
    source += "def short() -> None:\n    pass\n"
    assert long_functions(source) == [("long", 31)]
