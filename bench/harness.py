"""One benchmark run: a work directory, a fresh database, the simulator and daemons as processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.daemon import clean_environ, daemon_env
from bench.db import DbKind, StoreReader, fresh_database
from bench.meetings import Row, write_rows
from bench.procs import Child, ProcessSet, autojoin_command, run_command
from bench.sim import SimOptions, SimProcess


@dataclass(slots=True, kw_only=True)
class Run:
    """The resources of one run; start processes through it so they are cleaned up."""

    workdir: Path
    db_kind: DbKind
    database_url: str
    procs: ProcessSet
    reader: StoreReader
    stack: AsyncExitStack

    async def start_simulator(self, options: SimOptions) -> SimProcess:
        sim = await SimProcess.start(
            options, procs=self.procs, workdir=self.workdir, env=clean_environ()
        )
        self.stack.push_async_callback(sim.close)
        return sim

    def env(self, sim: SimProcess, *, rpm: int, extra: Mapping[str, str]) -> dict[str, str]:
        return daemon_env(
            database_url=self.database_url, base_url=sim.base_url, rpm=rpm, extra=extra
        )

    async def autojoin(self, env: Mapping[str, str], *args: str) -> str:
        """Run a one-shot ``autojoin`` command (migrate, import) to its end."""
        return await run_command([autojoin_command(), *args], env=env, cwd=self.workdir)

    async def migrate(self, env: Mapping[str, str]) -> None:
        await self.autojoin(env, "migrate")

    async def import_rows(self, env: Mapping[str, str], rows: list[Row], name: str) -> str:
        path = write_rows(self.workdir / f"{name}.json", rows)
        try:
            return await self.autojoin(env, "import", str(path))
        finally:
            path.unlink()

    async def start_daemon(
        self, env: Mapping[str, str], name: str, *, own_dir: bool = False
    ) -> Child:
        """Start ``autojoin run``; ``own_dir`` gives it a working directory of its own.

        Replicas need their own directory: the daemon takes its single-daemon file lock
        (meant for SQLite) in the working directory for PostgreSQL URLs too.
        """
        cwd = self.workdir / name if own_dir else self.workdir
        cwd.mkdir(exist_ok=True)
        argv = [autojoin_command(), "run"]
        log_path = self.workdir / f"{name}.log"
        return self.procs.add(await Child.spawn(name, argv, env=env, cwd=cwd, log_path=log_path))


def _copy_logs(workdir: Path, target: str | None) -> None:
    """With BENCH_LOGS_DIR set, every run's logs are copied there (tests point it at tmp_path)."""
    if not target:
        return
    dest = Path(target) / workdir.name
    dest.mkdir(parents=True, exist_ok=True)
    for log in workdir.glob("*.log"):
        shutil.copy(log, dest / log.name)


@asynccontextmanager
async def bench_run(name: str, *, db: DbKind, admin_url: str) -> AsyncIterator[Run]:
    """A run with an empty database of kind ``db`` (``Run.migrate`` creates the schema).

    Everything the run starts is stopped and deleted when it ends, on failure too; the work
    directory (logs) is kept only when the run failed or BENCH_KEEP=1, and its path printed;
    with BENCH_LOGS_DIR set, the logs are also copied into that directory.
    """
    workdir = Path(tempfile.mkdtemp(prefix=f"autojoin-bench-{name}-"))
    failed = True
    try:
        async with AsyncExitStack() as stack:
            url = await stack.enter_async_context(
                fresh_database(db, workdir=workdir, admin_url=admin_url)
            )
            reader = StoreReader(url)
            stack.push_async_callback(reader.close)
            procs = ProcessSet()
            stack.push_async_callback(procs.close)
            yield Run(
                workdir=workdir,
                db_kind=db,
                database_url=url,
                procs=procs,
                reader=reader,
                stack=stack,
            )
        failed = False
    finally:
        _copy_logs(workdir, os.environ.get("BENCH_LOGS_DIR"))
        if failed or os.environ.get("BENCH_KEEP") == "1":
            sys.stderr.write(f"run {name}: logs kept in {workdir}\n")
        else:
            with contextlib.suppress(OSError):
                shutil.rmtree(workdir)
