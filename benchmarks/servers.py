"""Server processes under test: start, wait until ready, CPU and memory from /proc, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The service, started as the README starts it (`journal serve`: its uvicorn options and its
# logging); anything else is an ASGI app that uvicorn runs directly.
SERVICE = "app.main:app"


def http_get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """One GET to 127.0.0.1:`port`; (status, body)."""
    return http_request(port, "GET", path, headers or {})


def http_request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, bytes]:
    """One request to 127.0.0.1:`port`; (status, body)."""
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may hold spaces or parentheses: fields start after the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue.extend(_children(current))
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of the processes (fields 14 and 15 of /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def postgres_backends(database: str) -> list[int]:
    """PostgreSQL backend processes connected to `database` (their title names it)."""
    found = []
    marker = f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and marker in title:
            found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds of the database backends serving `database`, between two readings.

    Backends that appear later (the pool grows) count from zero; ones that exit before the
    second reading are lost, which undercounts slightly."""

    def __init__(self, database: str | None) -> None:
        self.database = database
        self.start: dict[int, float] = {}

    def _read(self) -> dict[int, float]:
        if self.database is None:
            return {}
        return {pid: cpu_seconds([pid]) for pid in postgres_backends(self.database)}

    def begin(self) -> None:
        self.start = self._read()

    def seconds(self) -> float:
        now = self._read()
        return sum(value - self.start.get(pid, 0.0) for pid, value in now.items())


def memory_kib(pid: int, key: str) -> int:
    """A `Vm*` line of /proc/<pid>/status (VmRSS: now, VmHWM: peak so far), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


@dataclass
class Server:
    """One server (its process and any worker processes) on a free port of 127.0.0.1."""

    name: str
    app: str  # SERVICE (run by `journal serve`) or "baseline_app:app" (run by uvicorn)
    database_url: str
    log_dir: Path
    workers: int = 1
    app_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None  # the server's standard output and error

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 60.0) -> Server:
        from seed import SECRET_KEY

        self.port = free_port()
        env = {
            **os.environ,
            "JOURNAL_DATABASE_URL": self.database_url,
            "JOURNAL_SECRET_KEY": SECRET_KEY,
            "JOURNAL_ACCESS_TOKEN_MINUTES": "60",
            **self.extra_env,
        }
        if self.app == SERVICE:
            argv = [str(VENV_BIN / "journal"), "serve", "--host", "127.0.0.1"]
            argv += ["--port", str(self.port)]
            if self.app_dir is not None:
                # Found before the editable install's `app`, in every worker process too.
                paths = [str(self.app_dir), env.get("PYTHONPATH", "")]
                env["PYTHONPATH"] = os.pathsep.join(path for path in paths if path)
        else:
            argv = [str(VENV_BIN / "uvicorn"), self.app, "--host", "127.0.0.1"]
            argv += ["--port", str(self.port), "--no-access-log", "--loop", "uvloop"]
            argv += ["--http", "httptools"]
            if self.app_dir is not None:
                argv += ["--app-dir", str(self.app_dir)]
        if self.workers > 1:
            argv += ["--workers", str(self.workers)]
        self.log_dir.mkdir(parents=True, exist_ok=True)
        # A file, as a deployment's log would be: writing the request log costs what it
        # costs there, and no unread pipe can fill and stall the server.
        self.log_path = self.log_dir / f"{self.name}-{self.port}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start; see {self.log_dir}")
            try:
                status, _ = http_get(self.port, "/healthz")
            except OSError:
                status = 0
            # With several workers, uvicorn's process is their parent: wait for all of them.
            wanted = self.workers + 1 if self.workers > 1 else 1
            if status == 200 and len(self.pids()) >= wanted:
                if self.workers > 1:
                    time.sleep(2)  # let every worker finish its start-up
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not become ready in {timeout:.0f} s")

    def pids(self) -> list[int]:
        """The uvicorn process and its workers (with several, the workers are children)."""
        return process_tree(self.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pids())

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this harness created
            self.process.wait(timeout=5)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
