"""Load generators: wrk (with the Lua scripts in benchmarks/lua) and an open-loop login client."""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

LUA_DIR = Path(__file__).resolve().parent / "lua"
WRK_INSTALL_HINT = (
    "wrk is not installed. Install it with `apt-get install -y wrk` (Debian/Ubuntu), "
    "`brew install wrk` (macOS), or build it from https://github.com/wg/wrk."
)


def require_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        sys.exit(WRK_INSTALL_HINT)
    return path


@dataclass
class RunResult:
    """One measured wrk run, plus the server CPU it cost."""

    label: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    errors: dict[str, int]
    cpu_seconds: float = 0.0
    cpu_ms_per_request: float = 0.0  # the server process(es)
    db_cpu_ms_per_request: float = 0.0  # PostgreSQL backends of the database (0 on SQLite)
    client_cpu_ms_per_request: float = 0.0  # wrk
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_wrk(
    label: str,
    url: str,
    script: str,
    script_args: list[str],
    *,
    connections: int,
    seconds: float,
    timeout_s: int = 30,
) -> RunResult:
    """One wrk run with one thread (the server keeps the rest of the CPU)."""
    argv = [
        require_wrk(),
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(LUA_DIR / script),
        url,
        "--",
        *script_args,
    ]
    env = {
        **os.environ,
        "BENCH_LUA_DIR": str(LUA_DIR),
        "BENCH_SEED": str(random.SystemRandom().randrange(1, 2**31)),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    completed = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in completed.stdout.splitlines() if line.startswith("BENCH_JSON ")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({label}): {completed.stdout}\n{completed.stderr}")
    data = json.loads(lines[-1].removeprefix("BENCH_JSON "))
    latency = data["latency_us"]
    duration = data["duration_us"] / 1e6
    return RunResult(
        label=label,
        connections=connections,
        seconds=round(duration, 3),
        requests=data["requests"],
        rps=round(data["requests"] / duration, 1),
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p95_ms=latency["p95"] / 1000,
        p99_ms=latency["p99"] / 1000,
        mean_ms=round(latency["mean"] / 1000, 3),
        max_ms=latency["max"] / 1000,
        errors=data["errors"],
        client_cpu_ms_per_request=round(client_cpu * 1000 / max(1, data["requests"]), 3),
    )


def start_login_load(
    base_url: str, email: str, password: str, rate: float, seconds: float
) -> subprocess.Popen[str]:
    """Start `login_load.py` in its own process: `rate` sign-ins per second for `seconds`."""
    argv = [
        sys.executable,
        str(Path(__file__).resolve().parent / "login_load.py"),
        base_url,
        email,
        str(rate),
        str(seconds),
    ]
    return subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "BENCH_LOGIN_PASSWORD": password},
    )


def finish_login_load(process: subprocess.Popen[str]) -> dict[str, Any]:
    stdout, stderr = process.communicate(timeout=120)
    if process.returncode != 0:
        raise RuntimeError(f"login load failed: {stderr}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return result
