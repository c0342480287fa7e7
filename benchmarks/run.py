"""Performance benchmark of the journal API against a bare FastAPI + Core baseline.

    .venv/bin/python benchmarks/run.py [--database postgres|sqlite] [--quick]

Seeds three databases straight with SQL (1k, 10k and ~1.2M journal entries), starts the
servers as separate processes on free ports of 127.0.0.1, drives them with wrk (one wrk
thread), interleaving the compared servers A/B/A/B over three repetitions, and prints the
targets P1-P7 with medians. Raw numbers go to benchmarks/results/<timestamp>.json.
See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import loadgen
import seed
from loadgen import RunResult, require_wrk, run_wrk
from seed import Account, Fixture, Scale
from servers import ROOT, CpuMeter, Server, http_get, memory_kib
from sqlalchemy.engine.url import make_url

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
STATE_DIR = Path(tempfile.gettempdir()) / "journal-bench-state"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432"


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

    def run(self, seconds: float, label: str) -> RunResult:
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
    servers: list[Server] = field(default_factory=list)
    app_dir: Path | None = None  # another checkout whose `app` package the service runs

    # --- helpers ----------------------------------------------------------------------------

    def server(
        self, name: str, fixture: Fixture, *, app: str = "app.main:app", workers: int = 1
    ) -> Server:
        baseline = app.startswith("baseline_app")
        server = Server(
            name=name,
            app=app,
            database_url=fixture.url,
            log_dir=self.work / "logs",
            workers=workers,
            app_dir=BENCH_DIR if baseline else self.app_dir,
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

    def interleave(self, cases: list[Case]) -> dict[str, list[RunResult]]:
        """Warm every case, then A, B, A, B, ... for `reps` rounds."""
        out: dict[str, list[RunResult]] = {case.key: [] for case in cases}
        for case in cases:
            if self.timing.warmup:
                case.run(self.timing.warmup, case.key + ":warmup")
        for rep in range(self.timing.reps):
            for case in cases:
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

    # --- phases -----------------------------------------------------------------------------

    def phase_baseline(self) -> None:
        """P1 and P3: the service against the bare Core app, on the 1M database."""
        big = self.fixtures["1m"]
        print("P1/P3: real service vs bare Core baseline (1M rows)", flush=True)
        bare = self.server("baseline", big, app="baseline_app:app")
        real = self.server("real", big)
        t = self.timing
        bare_writers = self.header_file(
            "baseline-writers", [f"X-Participant-Id: {pid}" for pid in big.baseline_writers]
        )
        real_writers = self.bearer_file("real-writers", big, big.writers)
        assert big.list_participant is not None
        listed = self.bearer_file("list", big, [big.list_participant])
        no_auth = self.header_file("no-auth", ["X-Bench: 1"])
        bare_list = f"/entries?limit=50&participant_id={big.list_participant.user_id}"
        c = t.connections
        self.interleave(
            [
                Case(
                    "bare.post",
                    bare,
                    "/entries",
                    "post_entry.lua",
                    self.post_args(bare_writers, "/entries"),
                    c,
                    t.seconds,
                ),
                Case(
                    "real.post",
                    real,
                    "/v1/me/entries",
                    "post_entry.lua",
                    self.post_args(real_writers, "/v1/me/entries"),
                    c,
                    t.seconds,
                ),
            ]
        )
        self.interleave(
            [
                Case("bare.list", bare, bare_list, "get.lua", [no_auth], c, t.seconds),
                Case(
                    "real.list@1m",
                    real,
                    "/v1/me/entries?limit=50",
                    "get.lua",
                    [listed],
                    c,
                    t.seconds,
                ),
            ]
        )
        self.stop_all()

    def phase_scale(self) -> None:
        """P2: one participant's list with 1k rows in the table vs with 1M."""
        small, big = self.fixtures["1k"], self.fixtures["1m"]
        print("P2: participant list(50) at 1k vs 1M total rows", flush=True)
        real_small = self.server("real-1k", small)
        real_big = self.server("real-1m", big)
        assert small.list_participant and big.list_participant
        t = self.timing
        self.interleave(
            [
                Case(
                    "p2.list@1k",
                    real_small,
                    "/v1/me/entries?limit=50",
                    "get.lua",
                    [self.bearer_file("list-1k", small, [small.list_participant])],
                    t.connections,
                    t.seconds,
                ),
                Case(
                    "p2.list@1m",
                    real_big,
                    "/v1/me/entries?limit=50",
                    "get.lua",
                    [self.bearer_file("list-1m", big, [big.list_participant])],
                    t.connections,
                    t.seconds,
                ),
            ]
        )
        self.stop_all()

    def phase_overview(self) -> None:
        """P4: the clinician's overview of 200 participants vs one participant's entries."""
        big = self.fixtures["1m"]
        assert big.clinician and big.clinician_participant
        print("P4: clinician overview (200 participants x 1 year) at 1 connection", flush=True)
        real = self.server("real", big)
        clinician = self.bearer_file("clinician", big, [big.clinician])
        t = self.timing
        self.interleave(
            [
                Case(
                    "p4.overview200",
                    real,
                    "/v1/clinician/participants?limit=200",
                    "get.lua",
                    [clinician],
                    1,
                    t.latency_seconds,
                ),
                Case(
                    "p4.participant_entries",
                    real,
                    f"/v1/clinician/participants/{big.clinician_participant}/entries?limit=50",
                    "get.lua",
                    [clinician],
                    1,
                    t.latency_seconds,
                ),
            ]
        )
        self.stop_all()

    def phase_issue3(self) -> None:
        """List, changes and summary latency at 1 connection: 10k vs 1M rows in the table."""
        medium, big = self.fixtures["10k"], self.fixtures["1m"]
        assert medium.list_participant and big.list_participant
        print("Issue 3: list / changes / summary at 10k vs 1M total rows, 1 connection")
        real_medium = self.server("real-10k", medium)
        real_big = self.server("real-1m", big)
        headers = {
            "10k": self.bearer_file("i3-10k", medium, [medium.list_participant]),
            "1m": self.bearer_file("i3-1m", big, [big.list_participant]),
        }
        paths = {
            "list": "/v1/me/entries?limit=50",
            "changes": "/v1/me/entries/changes?limit=50",
            "summary": "/v1/me/summary",
        }
        for name, path in paths.items():
            self.interleave(
                [
                    Case(
                        f"i3.{name}@10k",
                        real_medium,
                        path,
                        "get.lua",
                        [headers["10k"]],
                        1,
                        self.timing.latency_seconds,
                    ),
                    Case(
                        f"i3.{name}@1m",
                        real_big,
                        path,
                        "get.lua",
                        [headers["1m"]],
                        1,
                        self.timing.latency_seconds,
                    ),
                ]
            )
        self.stop_all()

    def phase_export(self) -> None:
        """P5: peak RSS of the server process during one export, on a fresh server each time."""
        big = self.fixtures["1m"]
        assert big.export_participant and big.list_participant
        print("P5: export peak RSS, 100k vs 1k entries (server restarted for each)", flush=True)
        scale = Scale()
        targets = {
            "1k": (big.list_participant, scale.list_entries),
            "100k": (big.export_participant, scale.export_entries),
        }
        for rep in range(self.timing.reps):
            for label, (account, expected) in targets.items():
                measured = self.measure_export(big, account, f"export.{label}", expected)
                measured["rep"] = rep
                self.exports.append(measured)
                failed = "" if measured["complete"] else f"  FAILED: {measured['error']}"
                print(
                    f"    export.{label:<6} rep {rep + 1}: peak {measured['peak_kib'] / 1024:7.1f}"
                    f" MiB (+{measured['growth_kib'] / 1024:6.1f} MiB over idle), "
                    f"{measured['bytes'] / 1e6:6.1f} MB in {measured['seconds']:.2f} s{failed}",
                    flush=True,
                )

    def measure_export(
        self, fixture: Fixture, account: Account, label: str, expected: int
    ) -> dict[str, Any]:
        """Start a fresh server, warm it, reset its peak-RSS mark, export, read the peak.

        The peak (VmHWM) is reset through /proc/<pid>/clear_refs after the warm-up, because
        the process's start-up peak (the Argon2 dummy hash takes 64 MiB) is higher than
        anything an export adds; VmRSS is also sampled every 5 ms as a cross-check."""
        server = self.server(label, fixture)
        token = seed.mint_token(fixture.url, account)
        auth = {"Authorization": f"Bearer {token}"}
        body = self.work / f"{label}.json"
        try:
            for path in ("/v1/me", "/v1/me/entries?limit=1"):
                code, _ = http_get(server.port, path, auth)
                if code != 200:
                    raise RuntimeError(f"{label}: GET {path} answered {code}")
            idle_rss = memory_kib(server.pid, "VmRSS")
            startup_hwm = memory_kib(server.pid, "VmHWM")
            try:
                Path(f"/proc/{server.pid}/clear_refs").write_text("5")
                hwm_reset = True
            except OSError:
                hwm_reset = False
            sampled = [idle_rss]
            stop = threading.Event()

            def sample() -> None:
                while not stop.is_set():
                    try:
                        sampled.append(memory_kib(server.pid, "VmRSS"))
                    except (OSError, KeyError):
                        return
                    time.sleep(0.005)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            cpu_before = server.cpu_seconds()
            completed = subprocess.run(
                [
                    "curl",
                    "-sS",
                    "-o",
                    str(body),
                    "-w",
                    "%{http_code} %{size_download} %{time_total}",
                    "-H",
                    f"Authorization: Bearer {token}",
                    f"{server.base_url}/v1/me/export?format=json",
                ],
                capture_output=True,
                text=True,
                check=False,
                timeout=600,
            )
            cpu = server.cpu_seconds() - cpu_before
            stop.set()
            sampler.join()
            peak = memory_kib(server.pid, "VmHWM") if hwm_reset else max(sampled)
        finally:
            self.stop_all()
        status, size, seconds = completed.stdout.split()
        entries, error = -1, None
        if completed.returncode != 0:
            error = f"curl exit {completed.returncode}: {completed.stderr.strip()}"
        try:
            entries = len(json.loads(body.read_bytes())["entries"])
        except (ValueError, KeyError) as exc:
            error = error or f"not a complete JSON document: {exc}"
        body.unlink(missing_ok=True)
        if error is None and entries != expected:
            error = f"{entries} entries exported, {expected} expected"
        return {
            "label": label,
            "status": int(status),
            "complete": error is None,
            "error": error,
            "entries": entries,
            "bytes": int(size),
            "seconds": float(seconds),
            "idle_rss_kib": idle_rss,
            "startup_hwm_kib": startup_hwm,
            "hwm_reset": hwm_reset,
            "peak_kib": peak,
            "peak_sampled_rss_kib": max(sampled),
            "growth_kib": peak - idle_rss,
            "cpu_seconds": round(cpu, 3),
        }

    def phase_logins(self) -> None:
        """P6: entry POST latency with 5 real-password sign-ins per second, and without."""
        big = self.fixtures["1m"]
        assert big.login_email
        print(f"P6: entry POST with and without {self.timing.login_rate:g} logins/s", flush=True)
        real = self.server("real", big)
        email = big.login_email
        # One sign-in first, so that the first Argon2 run is not inside a measurement.
        warm = loadgen.start_login_load(real.base_url, email, seed.LOGIN_PASSWORD, 1, 1)
        print(f"    warm-up login: {loadgen.finish_login_load(warm)}")

        def logins(seconds: float) -> Callable[[], dict[str, Any]]:
            process = loadgen.start_login_load(
                real.base_url, email, seed.LOGIN_PASSWORD, self.timing.login_rate, seconds
            )
            return lambda: loadgen.finish_login_load(process)

        writers = self.post_args(self.bearer_file("p6-writers", big, big.writers), "/v1/me/entries")
        t = self.timing
        self.interleave(
            [
                Case(
                    "p6.post",
                    real,
                    "/v1/me/entries",
                    "post_entry.lua",
                    writers,
                    t.connections,
                    t.seconds,
                ),
                Case(
                    "p6.post+logins",
                    real,
                    "/v1/me/entries",
                    "post_entry.lua",
                    writers,
                    t.connections,
                    t.seconds,
                    during=logins,
                ),
            ]
        )
        self.stop_all()

    def phase_workers(self) -> None:
        """P7: entry POST throughput of 2 uvicorn workers vs 1."""
        big = self.fixtures["1m"]
        print("P7: entry POST, 1 worker vs 2 workers", flush=True)
        one = self.server("real-1w", big)
        two = self.server("real-2w", big, workers=2)
        writers = self.post_args(self.bearer_file("p7-writers", big, big.writers), "/v1/me/entries")
        t = self.timing
        self.interleave(
            [
                Case(
                    "p7.post.1worker",
                    one,
                    "/v1/me/entries",
                    "post_entry.lua",
                    writers,
                    t.connections,
                    t.seconds,
                ),
                Case(
                    "p7.post.2workers",
                    two,
                    "/v1/me/entries",
                    "post_entry.lua",
                    writers,
                    t.connections,
                    t.seconds,
                ),
            ]
        )
        self.stop_all()


# --- figures ----------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def med(runs: dict[str, list[RunResult]], key: str, attribute: str) -> float:
    return median([float(getattr(run, attribute)) for run in runs.get(key, [])])


@dataclass
class Metric:
    name: str
    value: float | None
    target: str
    verdict: str
    detail: str


def _verdict(
    value: float, good: Callable[[float], bool], floor: Callable[[float], bool] | None = None
) -> str:
    if value != value:  # NaN: not measured
        return "n/a"
    if good(value):
        return "PASS"
    if floor is not None and floor(value):
        return "FLOOR"
    return "MISS"


def compute_metrics(bench: Bench) -> list[Metric]:
    runs = bench.runs
    out: list[Metric] = []

    def clean(verdict: str, *keys: str) -> str:
        """The verdict, unless a run behind it had failed requests (then it means nothing)."""
        failed = sum(run.failed for key in keys for run in runs.get(key, []))
        return f"ERRORS({failed})" if failed else verdict

    def ratio(a: float, b: float) -> float:
        return a / b if b else float("nan")

    bare_post, real_post = med(runs, "bare.post", "rps"), med(runs, "real.post", "rps")
    p1 = ratio(real_post, bare_post)
    out.append(
        Metric(
            "P1 entry POST: real / bare Core insert (req/s)",
            p1,
            ">= 0.70",
            clean(_verdict(p1, lambda v: v >= 0.70), "bare.post", "real.post"),
            f"{real_post:.0f} vs {bare_post:.0f} req/s",
        )
    )
    list_1k, list_1m = med(runs, "p2.list@1k", "rps"), med(runs, "p2.list@1m", "rps")
    p2 = ratio(list_1m, list_1k)
    out.append(
        Metric(
            "P2 list(50) req/s: 1M rows / 1k rows",
            p2,
            ">= 0.95",
            clean(_verdict(p2, lambda v: v >= 0.95), "p2.list@1k", "p2.list@1m"),
            f"{list_1m:.0f} vs {list_1k:.0f} req/s",
        )
    )
    p50_1k, p50_1m = med(runs, "p2.list@1k", "p50_ms"), med(runs, "p2.list@1m", "p50_ms")
    p2b = ratio(p50_1m, p50_1k)
    out.append(
        Metric(
            "P2 list(50) p50: 1M rows / 1k rows",
            p2b,
            "<= 1.10",
            clean(_verdict(p2b, lambda v: v <= 1.10), "p2.list@1k", "p2.list@1m"),
            f"{p50_1m:.1f} vs {p50_1k:.1f} ms at {bench.timing.connections} conns",
        )
    )
    real_list, bare_list = med(runs, "real.list@1m", "rps"), med(runs, "bare.list", "rps")
    p3 = ratio(real_list, bare_post)
    out.append(
        Metric(
            "P3 list(50) real / bare Core insert (req/s)",
            p3,
            ">= 0.65",
            clean(_verdict(p3, lambda v: v >= 0.65), "bare.post", "real.list@1m"),
            f"{real_list:.0f} vs {bare_post:.0f} req/s (as specified)",
        )
    )
    p3b = ratio(real_list, bare_list)
    out.append(
        Metric(
            "P3b list(50) real / bare Core list (req/s)",
            p3b,
            ">= 0.65",
            clean(_verdict(p3b, lambda v: v >= 0.65), "bare.list", "real.list@1m"),
            f"{real_list:.0f} vs {bare_list:.0f} req/s (like for like)",
        )
    )
    overview = med(runs, "p4.overview200", "p50_ms")
    one_list = med(runs, "p4.participant_entries", "p50_ms")
    p4 = ratio(overview, one_list)
    out.append(
        Metric(
            "P4 overview(200) p50 / one participant's list p50",
            p4,
            "<= 3 (floor 6)",
            clean(
                _verdict(p4, lambda v: v <= 3, lambda v: v <= 6),
                "p4.overview200",
                "p4.participant_entries",
            ),
            f"overview p50 {overview:.1f} ms, p95 "
            f"{med(runs, 'p4.overview200', 'p95_ms'):.1f} ms; list p50 "
            f"{one_list:.1f} ms (1 conn)",
        )
    )
    peaks = {
        label: median([e["peak_kib"] for e in bench.exports if e["label"] == f"export.{label}"])
        for label in ("1k", "100k")
    }
    growth = {
        label: median([e["growth_kib"] for e in bench.exports if e["label"] == f"export.{label}"])
        for label in ("1k", "100k")
    }
    p5 = ratio(peaks["100k"], peaks["1k"])
    broken = [e for e in bench.exports if not e["complete"]]
    p5_detail = (
        f"{peaks['100k'] / 1024:.1f} vs {peaks['1k'] / 1024:.1f} MiB; growth over "
        f"idle {growth['100k'] / 1024:.1f} vs {growth['1k'] / 1024:.1f} MiB"
    )
    if broken:
        p5_detail = (
            f"{len(broken)}/{len(bench.exports)} exports INCOMPLETE "
            f"({broken[0]['label']}: {broken[0]['error']}); " + p5_detail
        )
    out.append(
        Metric(
            "P5 export peak RSS: 100k entries / 1k entries",
            p5,
            "<= 1.2",
            "FAIL" if broken else _verdict(p5, lambda v: v <= 1.2),
            p5_detail,
        )
    )
    with_logins, without = med(runs, "p6.post+logins", "p99_ms"), med(runs, "p6.post", "p99_ms")
    p6 = ratio(with_logins, without)
    out.append(
        Metric(
            "P6 entry POST p99: with 5 logins/s / without",
            p6,
            "<= 1.2",
            clean(_verdict(p6, lambda v: v <= 1.2), "p6.post", "p6.post+logins"),
            f"{with_logins:.1f} vs {without:.1f} ms; req/s "
            f"{med(runs, 'p6.post+logins', 'rps'):.0f} vs {med(runs, 'p6.post', 'rps'):.0f}",
        )
    )
    two, one = med(runs, "p7.post.2workers", "rps"), med(runs, "p7.post.1worker", "rps")
    p7 = ratio(two, one)
    p7_target, p7_verdict = ">= 1.4", _verdict(p7, lambda v: v >= 1.4)
    if bench.database == "sqlite":  # one writer at a time: a second process cannot add writes
        p7_target, p7_verdict = "n/a (SQLite)", "info"
    p7_verdict = clean(p7_verdict, "p7.post.1worker", "p7.post.2workers")
    out.append(
        Metric(
            "P7 entry POST req/s: 2 workers / 1 worker",
            p7,
            p7_target,
            p7_verdict,
            f"{two:.0f} vs {one:.0f} req/s",
        )
    )
    return out


def print_report(bench: Bench, metrics: list[Metric]) -> str:
    lines = [
        f"Database: {bench.database}; rows: "
        + ", ".join(f"{name}={f.total_entries:,}" for name, f in bench.fixtures.items())
        + f"; timing: {bench.timing}",
        "",
        f"| {'metric':<52} | {'value':>6} | {'target':<16} | {'verdict':<7} | detail",
        f"|{'-' * 54}|{'-' * 8}|{'-' * 18}|{'-' * 9}|{'-' * 40}",
    ]
    for metric in metrics:
        value = (
            "-" if metric.value is None or metric.value != metric.value else f"{metric.value:.2f}"
        )
        lines.append(
            f"| {metric.name:<52} | {value:>6} | {metric.target:<16} | {metric.verdict:<7} "
            f"| {metric.detail}"
        )
    lines += [
        "",
        "Scenarios (medians of the measured runs; CPU ms/req = user+system time of the server"
        " process(es), DB = the PostgreSQL backends of its database, wrk = the load generator):",
        "",
        f"| {'scenario':<26} | conns | {'req/s':>8} | {'p50 ms':>8} | {'p95 ms':>8} | "
        f"{'p99 ms':>8} | {'CPU ms/req':>10} | {'DB ms/req':>9} | {'wrk ms/req':>10} | errors",
        f"|{'-' * 28}|-------|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 10}|{'-' * 12}|{'-' * 11}"
        f"|{'-' * 12}|-------",
    ]
    for key, runs in bench.runs.items():
        # SQLite runs inside the server process: its work is in the server's CPU already.
        db_ms = med(bench.runs, key, "db_cpu_ms_per_request")
        db = f"{db_ms:>9.2f}" if bench.database == "postgres" else f"{'-':>9}"
        lines.append(
            f"| {key:<26} | {runs[0].connections:>5} | {med(bench.runs, key, 'rps'):>8.1f} | "
            f"{med(bench.runs, key, 'p50_ms'):>8.2f} | {med(bench.runs, key, 'p95_ms'):>8.2f} | "
            f"{med(bench.runs, key, 'p99_ms'):>8.2f} | "
            f"{med(bench.runs, key, 'cpu_ms_per_request'):>10.2f} | {db} | "
            f"{med(bench.runs, key, 'client_cpu_ms_per_request'):>10.2f} | "
            f"{sum(run.failed for run in runs)}"
        )
    if bench.exports:
        lines += ["", "Exports (GET /v1/me/export?format=json, fresh server each):", ""]
        for label in ("1k", "100k"):
            rows = [e for e in bench.exports if e["label"] == f"export.{label}"]
            lines.append(
                f"  {label:>5} entries: peak RSS {median([e['peak_kib'] for e in rows]) / 1024:.1f}"
                f" MiB (idle {median([e['idle_rss_kib'] for e in rows]) / 1024:.1f} MiB, growth "
                f"{median([e['growth_kib'] for e in rows]) / 1024:.1f} MiB), "
                f"{median([e['bytes'] for e in rows]) / 1e6:.1f} MB in "
                f"{median([e['seconds'] for e in rows]):.2f} s, "
                f"CPU {median([e['cpu_seconds'] for e in rows]):.2f} s, "
                f"complete {sum(e['complete'] for e in rows)}/{len(rows)}"
                + "".join(f"; {e['error']}" for e in rows[:1] if e["error"])
            )
    report = "\n".join(lines)
    print("\n" + report)
    return report


# --- main -------------------------------------------------------------------------------------


def database_urls(database: str, postgres: str, folder: Path) -> dict[str, str]:
    """PostgreSQL databases bench_journal_*, or SQLite files in `folder`."""
    names = ("1k", "10k", "1m")
    if database == "postgres":
        return {name: f"{postgres}/bench_journal_{name}" for name in names}
    return {name: f"sqlite+aiosqlite:///{folder}/bench_journal_{name}.db" for name in names}


def scales(bulk_participants: int) -> dict[str, Scale]:
    return {
        "1k": Scale(bulk_participants=0, with_clinic=False),
        "10k": Scale(bulk_participants=9, with_clinic=False),
        "1m": Scale(bulk_participants=bulk_participants),
    }


def git_state() -> dict[str, str]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty_files": str(len(git("status", "--porcelain").splitlines())),
    }


PHASES = ("baseline", "scale", "overview", "issue3", "export", "logins", "workers")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--quick", action="store_true", help="short runs (about 4 minutes)")
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES,
        help="server URL without database (default: %(default)s)",
    )
    parser.add_argument(
        "--bulk-participants",
        type=int,
        default=999,
        help="participants with 1,000 entries each besides the measured one "
        "in the big database (default 999: 1,000,000 entries)",
    )
    parser.add_argument(
        "--phases", default=",".join(PHASES), help="comma-separated subset of: " + ", ".join(PHASES)
    )
    parser.add_argument(
        "--app-dir",
        type=Path,
        help="run the service from the `app` package in this directory (e.g. a git worktree "
        "with a proposed fix); the baseline and the schema stay this checkout's",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the databases (and reuse kept ones of the same scale)",
    )
    args = parser.parse_args()
    # A terminated run still stops its servers (the `finally` below) and drops its databases.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    require_wrk()
    if shutil.which("curl") is None:
        sys.exit("curl is needed for the export measurement: apt-get install -y curl")
    phases = [phase.strip() for phase in args.phases.split(",") if phase.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    timing = Timing.quick() if args.quick else Timing.full()
    work = Path(tempfile.mkdtemp(prefix=f"journal-bench-{stamp}-"))
    state = STATE_DIR / args.database
    state.mkdir(parents=True, exist_ok=True)
    urls = database_urls(args.database, args.postgres_url, state)
    print(f"Work directory (server logs, header files): {work}")

    fixtures: dict[str, Fixture] = {}
    for name, scale in scales(args.bulk_participants).items():
        saved = state / f"{name}.json"
        marker = json.dumps(asdict(scale))
        if args.keep and saved.exists() and (state / f"{name}.scale").read_text() == marker:
            fixtures[name] = Fixture.from_json(saved.read_text())
            print(f"  reusing kept database {name} ({fixtures[name].total_entries:,} entries)")
            seed.upgrade_to_head(fixtures[name].url)  # migrations added since it was seeded
            continue
        print(f"Seeding {name} ...", flush=True)
        fixtures[name] = seed.seed(name, urls[name], scale)
        saved.write_text(fixtures[name].to_json())
        (state / f"{name}.scale").write_text(marker)

    if not phases:
        print("No phases given: databases seeded only.")
        return
    bench = Bench(
        database=args.database, timing=timing, work=work, fixtures=fixtures, app_dir=args.app_dir
    )
    started = time.monotonic()
    try:
        for phase in phases:
            getattr(bench, f"phase_{phase}")()
    finally:
        bench.stop_all()
        if not args.keep:
            for name, fixture in fixtures.items():
                seed.drop_database(fixture.url)
                (state / f"{name}.json").unlink(missing_ok=True)
    metrics = compute_metrics(bench)
    report = print_report(bench, metrics)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "timestamp": stamp,
                "database": args.database,
                "quick": args.quick,
                "timing": asdict(timing),
                "minutes": round((time.monotonic() - started) / 60, 1),
                "machine": {
                    "cpus": len(os.sched_getaffinity(0)),
                    "python": platform.python_version(),
                    "loadavg_end": Path("/proc/loadavg").read_text().split()[:3],
                },
                "git": git_state(),
                "app_dir": str(args.app_dir or ROOT),
                "fixtures": {
                    name: {"entries": f.total_entries, "seed_seconds": f.seconds}
                    for name, f in fixtures.items()
                },
                "metrics": [asdict(metric) for metric in metrics],
                "runs": {key: [run.to_dict() for run in runs] for key, runs in bench.runs.items()},
                "exports": bench.exports,
                "report": report,
            },
            indent=1,
            default=str,
        )
    )
    print(f"\nRaw numbers: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
