"""Child processes of a benchmark: spawned in their own process group, logged, always reaped."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path


def autojoin_command() -> str:
    """The ``autojoin`` entry point of the interpreter running the benchmark (its venv)."""
    beside = Path(sys.executable).parent / "autojoin"
    if beside.exists():
        return str(beside)
    found = shutil.which("autojoin")
    if found is None:
        raise RuntimeError("the autojoin command is not installed (pip install -e .)")
    return found


class CommandFailed(RuntimeError):
    """A one-shot command (migrate, import) exited with an error."""

    def __init__(self, argv: Sequence[str], code: int, output: str) -> None:
        super().__init__(f"{' '.join(argv)} exited {code}: {output.strip()[-2000:]}")


async def run_command(argv: Sequence[str], *, env: Mapping[str, str], cwd: Path) -> str:
    """Run a command to its end and return its output; raise CommandFailed on an error."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = await proc.communicate()
    finally:
        if proc.returncode is None:
            _kill_group(proc.pid)
            await proc.wait()
    text = output.decode(errors="replace")
    if proc.returncode != 0:
        raise CommandFailed(argv, proc.returncode or -1, text)
    return text


def _kill_group(pid: int, sig: signal.Signals = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


class ChildExited(RuntimeError):
    """A process the benchmark needs running has exited on its own."""

    def __init__(self, name: str, code: int | None, log_tail: str) -> None:
        super().__init__(f"{name} exited with code {code}; its log ends with:\n{log_tail}")


class Child:
    """A long-running process (simulator, daemon) whose output goes to ``log_path``."""

    def __init__(
        self, name: str, proc: asyncio.subprocess.Process, log_path: Path, started_at: float
    ) -> None:
        self.name = name
        self.log_path = log_path
        # Wall-clock time (epoch seconds) just before the exec, to compare with server times.
        self.started_at = started_at
        self._proc = proc

    @classmethod
    async def spawn(
        cls, name: str, argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, log_path: Path
    ) -> Child:
        with log_path.open("ab") as log:
            started_at = time.time()
            proc = await asyncio.create_subprocess_exec(
                *argv,
                env=dict(env),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return cls(name, proc, log_path, started_at)

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def running(self) -> bool:
        return self._proc.returncode is None

    @property
    def returncode(self) -> int | None:
        return self._proc.returncode

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def ensure_alive(self) -> None:
        """Raise ChildExited (with the end of its log) if the process has ended."""
        if not self.running:
            raise ChildExited(self.name, self.returncode, self.log_text()[-3000:])

    async def kill(self) -> int:
        """SIGKILL the whole process group (no clean-up in the child) and reap it."""
        if self.running:  # once reaped, the pid could belong to someone else
            _kill_group(self.pid)
        return await self._proc.wait()

    async def stop(self, grace: float = 15.0) -> int:
        """SIGTERM, then SIGKILL if it has not exited within ``grace`` seconds."""
        if self.running:
            _kill_group(self.pid, signal.SIGTERM)
            try:
                async with asyncio.timeout(grace):
                    return await self._proc.wait()
            except TimeoutError:
                pass
        return await self.kill()


class ProcessSet:
    """Every child of one benchmark run; ``close`` leaves none of them alive."""

    def __init__(self) -> None:
        self._children: list[Child] = []

    def add(self, child: Child) -> Child:
        self._children.append(child)
        return child

    async def close(self) -> None:
        for child in reversed(self._children):
            await child.stop(grace=5.0)
        self._children.clear()
