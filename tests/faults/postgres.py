"""PostgreSQL for the fault tests: scratch databases, and whole clusters of our own."""

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.faults.server import free_port


async def _run_admin(admin_url: str, statement: str) -> None:
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextlib.contextmanager
def scratch_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the server of `admin_url`, dropped afterwards.

    For synchronous fixtures only (it runs its own event loop)."""
    name = f"journal_fault_{uuid.uuid4().hex[:12]}"
    asyncio.run(_run_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_run_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def postgres_bindir() -> Path | None:
    """The directory of initdb and pg_ctl, newest major version first, if installed."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def _run_as() -> list[str] | None:
    """PostgreSQL refuses to run as root: run it as `postgres` then. None if we cannot."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return None
    runuser = shutil.which("runuser")
    return [runuser, "-u", "postgres", "--"] if runuser else None


def cluster_unavailable_reason() -> str | None:
    if postgres_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if _run_as() is None:
        return "running as root without a `postgres` user to run the cluster as"
    return None


class TemporaryCluster:
    """A PostgreSQL cluster in a temporary directory, on a free port, with trust auth."""

    def __init__(self) -> None:
        bindir, run_as = postgres_bindir(), _run_as()
        assert bindir is not None and run_as is not None, cluster_unavailable_reason()
        self.bindir = bindir
        self.prefix = run_as
        self.root = Path(tempfile.mkdtemp(prefix="journal-pg-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.port = free_port()
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        command = [*self.prefix, str(self.bindir / program), *args]
        result = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise AssertionError(
                f"{program} failed ({result.returncode}): {result.stderr.decode()}\n"
                f"{self.log_tail()}"
            )

    def init(self) -> None:
        self._run(
            "initdb",
            *("-D", str(self.data), "-U", "postgres", "-A", "trust"),
            *("-E", "UTF8", "--locale=C", "--no-sync"),
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "30",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "30", "-D", str(self.data), "-m", mode)

    async def start_async(self) -> None:
        await asyncio.to_thread(self.start)

    async def stop_async(self, mode: str = "fast") -> None:
        await asyncio.to_thread(self.stop, mode)

    def destroy(self) -> None:
        """Stop the cluster if it runs (immediately), and remove its files."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
