"""The harness: servers under test, wrk runs, and the A/B/A/B interleaving of compared cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import seed
from loadgen import RunResult, run_wrk
from seed import Account, Fixture
from servers import SERVICE, CpuMeter, Server
from sqlalchemy.engine.url import make_url

BENCH_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Timing:
    warmup: float  # per server and scenario, before its first measured run
    rewarm: float  # before every measured run (the other server ran in between)
    seconds: float  # a measured throughput run (32 connections)
    latency_seconds: float  # a measured latency run (1 connection)
    reps: int
    connections: int = 32
    login_rate: float = 5.0

    @classmethod
    def full(cls) -> Timing:
        return cls(warmup=3, rewarm=1, seconds=10, latency_seconds=6, reps=3)

    @classmethod
    def quick(cls) -> Timing:
        return cls(warmup=1, rewarm=0, seconds=3, latency_seconds=2, reps=3)


@dataclass
class Case:
    """One scenario on one server: what wrk requests, and how."""

    key: str
    server: Server
    path: str
    script: str
    script_args: list[str]
    connections: int
    seconds: float
    during: Callable[[float], Callable[[], dict[str, Any]]] | None = None  # side load
    # Puts the service in this case's state before each of its runs (e.g. the clinic's
    # alert rules on or off), outside the measured time.
    before: Callable[[], None] | None = None

    def run(self, seconds: float, label: str) -> RunResult:
        if self.before is not None:
            self.before()
        finish = self.during(seconds) if self.during is not None else None
        database = make_url(self.server.database_url)
        db_cpu = CpuMeter(
            database.database if database.get_backend_name() == "postgresql" else None
        )
        db_cpu.begin()
        before = self.server.cpu_seconds()
        result = run_wrk(
            label,
            self.server.base_url + self.path,
            self.script,
            self.script_args,
            connections=self.connections,
            seconds=seconds,
        )
        result.cpu_seconds = round(self.server.cpu_seconds() - before, 3)
        if result.requests:
            result.cpu_ms_per_request = round(result.cpu_seconds * 1000 / result.requests, 3)
            result.db_cpu_ms_per_request = round(db_cpu.seconds() * 1000 / result.requests, 3)
        result.extra["loadavg"] = Path("/proc/loadavg").read_text().split()[:3]
        if finish is not None:
            result.extra["side_load"] = finish()
        return result


@dataclass
class Bench:
    database: str
    timing: Timing
    work: Path
    fixtures: dict[str, Fixture]
    runs: dict[str, list[RunResult]] = field(default_factory=dict)
    exports: list[dict[str, Any]] = field(default_factory=list)
    sweeps: list[dict[str, Any]] = field(default_factory=list)  # sweeps.py: one per pass
    info: dict[str, Any] = field(default_factory=dict)  # what a phase saw besides its runs
    servers: list[Server] = field(default_factory=list)
    app_dir: Path | None = None  # another checkout whose `app` package the service runs

    def server(
        self,
        name: str,
        fixture: Fixture,
        *,
        app: str = SERVICE,
        workers: int = 1,
        env: dict[str, str] | None = None,
    ) -> Server:
        baseline = app.startswith("baseline_app")
        server = Server(
            name=name,
            app=app,
            database_url=fixture.url,
            log_dir=self.work / "logs",
            workers=workers,
            app_dir=BENCH_DIR if baseline else self.app_dir,
            extra_env=env or {},
        )
        server.start()
        self.servers.append(server)
        return server

    def stop_all(self) -> None:
        while self.servers:
            self.servers.pop().stop()

    def header_file(self, name: str, lines: list[str]) -> str:
        path = self.work / f"{name}.headers"
        path.write_text("\n".join(lines) + "\n")
        return str(path)

    def bearer_file(self, name: str, fixture: Fixture, accounts: list[Account]) -> str:
        tokens = [seed.mint_token(fixture.url, account) for account in accounts]
        return self.header_file(name, [f"Authorization: Bearer {token}" for token in tokens])

    def interleave(
        self, cases: list[Case], reps: int | None = None, *, alternate: bool = False
    ) -> dict[str, list[RunResult]]:
        """Warm every case, then A, B, A, B, ... for `reps` rounds (the timing's by default);
        with `alternate`, every other round runs them in reverse order (A, B, B, A, ...)."""
        out: dict[str, list[RunResult]] = {case.key: [] for case in cases}
        for case in cases:
            if self.timing.warmup:
                case.run(self.timing.warmup, case.key + ":warmup")
        for rep in range(reps or self.timing.reps):
            for case in cases[::-1] if alternate and rep % 2 else cases:
                if self.timing.rewarm:
                    case.run(self.timing.rewarm, case.key + ":rewarm")
                result = case.run(case.seconds, case.key)
                result.extra["rep"] = rep
                out[case.key].append(result)
                mark = f"  {result.failed} FAILED" if result.failed else ""
                print(
                    f"    {case.key:<34} rep {rep + 1}: {result.rps:>8.1f} req/s  "
                    f"p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
                    f"cpu {result.cpu_ms_per_request:6.2f} ms/req{mark}",
                    flush=True,
                )
        self.runs.update(out)
        return out

    def post_args(self, headers: str, path: str) -> list[str]:
        day = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
        return [headers, path, day]
