"""What machine a benchmark ran on: CPU model, cores, memory, Python and the date."""

from __future__ import annotations

import hashlib
import os
import platform
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class Machine:
    cpu_model: str
    cores: int
    memory_gib: float
    python: str
    kernel: str
    date: str
    code: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def line(self) -> str:
        return (
            f"{self.cpu_model}, {self.cores} cores, {self.memory_gib:.1f} GiB, "
            f"Python {self.python}, Linux {self.kernel}; daemon code {self.code}"
        )


def _proc_field(path: str, name: str) -> str | None:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return None


def _memory_gib() -> float:
    total = _proc_field("/proc/meminfo", "MemTotal") or "0 kB"
    return int(total.split()[0]) / (1024 * 1024)


def code_fingerprint() -> str:
    """A short hash of the daemon's source and migrations, naming the code that was measured."""
    import service

    root = Path(service.__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted([*root.glob("service/**/*.py"), *root.glob("migrations/**/*.py")]):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return f"sha256:{digest.hexdigest()[:12]} ({root})"


def describe_machine() -> Machine:
    """Read the facts from /proc and the interpreter, as they are now."""
    return Machine(
        cpu_model=_proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        cores=os.cpu_count() or 1,
        memory_gib=_memory_gib(),
        python=platform.python_version(),
        kernel=platform.release(),
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        code=code_fingerprint(),
    )
