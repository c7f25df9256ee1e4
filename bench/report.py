"""Reporting: a fixed-width table on stdout with the machine and parameters, JSON in bench/out/."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.machine import Machine, describe_machine

OUT_DIR = Path(__file__).resolve().parent / "out"
Cell = str | int | float | None


def fmt(value: Cell, digits: int = 1) -> str:
    """A cell as text: floats rounded (one more digit below 10), inf as "never", NaN as "-"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        if math.isinf(value):
            return "never"
        return f"{value:.{digits + 1 if abs(value) < 10 else digits}f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    """Columns padded to their widest cell; numbers right-aligned, text left-aligned."""
    cells = [[fmt(value) for value in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    numeric = [all(isinstance(row[i], int | float) for row in rows) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        padded = (
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        )
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in cells)])


@dataclass(slots=True, kw_only=True)
class Report:
    """What one benchmark command measured, and under which conditions."""

    bench: str
    title: str
    params: Mapping[str, object]
    runs: int
    headers: Sequence[str]
    rows: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: list[dict[str, object]] = field(default_factory=list)
    machine: Machine = field(default_factory=describe_machine)

    def text(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.params.items())
        lines = [
            f"== {self.title} ==",
            f"date:    {self.machine.date}",
            f"machine: {self.machine.line()}",
            f"runs:    {self.runs}",
            f"params:  {params}",
            "",
            table(self.headers, self.rows),
        ]
        return "\n".join(lines + [""] + [f"note: {n}" for n in self.notes]).rstrip() + "\n"

    def payload(self) -> dict[str, object]:
        return {
            "bench": self.bench,
            "title": self.title,
            "machine": self.machine.as_dict(),
            "runs": self.runs,
            "params": dict(self.params),
            "headers": list(self.headers),
            "rows": [[_json_cell(v) for v in row] for row in self.rows],
            "notes": self.notes,
            "details": self.details,
        }

    def emit(self, out_dir: Path = OUT_DIR) -> Path:
        """Print the table and write the JSON next to the others; return the JSON path."""
        sys.stdout.write(self.text())
        out_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = out_dir / f"{self.bench}-{stamp}.json"
        path.write_text(json.dumps(self.payload(), indent=2, default=str) + "\n", "utf-8")
        sys.stdout.write(f"(JSON: {path})\n")
        sys.stdout.flush()
        return path


def _json_cell(value: Cell) -> Cell:
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else "inf"
    return value
