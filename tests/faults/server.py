"""`python -m app serve` as a real process in its own process group, on 127.0.0.1."""

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

from tests.conftest import SECRET_KEY

STARTUP_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_environment(database_url: str, **settings: str) -> dict[str, str]:
    """The test's environment without any JOURNAL_ variable, then only what we set."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOURNAL_")}
    env.update(
        JOURNAL_DATABASE_URL=database_url,
        JOURNAL_SECRET_KEY=SECRET_KEY,
        JOURNAL_ACCESS_TOKEN_MINUTES="60",
        JOURNAL_LOG_LEVEL="WARNING",
    )
    env.update({f"JOURNAL_{name.upper()}": value for name, value in settings.items()})
    return env


class Server:
    """One `journal serve` (and its uvicorn workers, if any), restartable on the same port."""

    def __init__(self, database_url: str, workdir: Path, *, workers: int = 1, **settings: str):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = server_environment(database_url, **settings)
        self.workdir = workdir
        self.workers = workers
        self.log_path = workdir / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        assert self.process is None, "already running"
        self._log = self.log_path.open("ab")
        command = [sys.executable, "-m", "app", "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        # A session of its own: SIGKILL to the group takes the uvicorn workers down too.
        self.process = subprocess.Popen(
            command,
            cwd=self.workdir,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.starts += 1

    async def wait_ready(self, path: str = "/healthz", within_s: float = STARTUP_TIMEOUT_S) -> None:
        deadline = time.monotonic() + within_s
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2.0) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise AssertionError(f"server exited early:\n{self.log_tail()}")
                try:
                    if (await client.get(path)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"server not ready after {within_s} s:\n{self.log_tail()}")

    async def start_and_wait(self) -> None:
        self.start()
        await self.wait_ready()

    def kill(self) -> None:
        """SIGKILL to the whole process group: no shutdown handler, no flush, nothing."""
        self._signal_group(signal.SIGKILL)
        self._reap(timeout=10)

    def stop(self) -> None:
        """A graceful stop, escalating to SIGKILL; safe to call when not running."""
        if self.process is None:
            return
        self._signal_group(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
        self._reap(timeout=10)

    def _signal_group(self, signum: signal.Signals) -> None:
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def _reap(self, timeout: float) -> None:
        assert self.process is not None
        self.process.wait(timeout=timeout)
        # Workers of the group may outlive the parent by a moment; make sure none is left.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


async def journal_migrate(database_url: str, cwd: Path) -> None:
    """`journal migrate` as an operator runs it, in a process of its own."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "migrate",
        cwd=cwd,
        env=server_environment(database_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, output.decode()
