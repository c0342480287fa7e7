"""Performance benchmark of the journal API against a bare FastAPI + Core baseline.

    .venv/bin/python benchmarks/run.py [--database postgres|sqlite] [--quick]

Seeds three databases straight with SQL (1k, 10k and ~1.2M journal entries), starts the
servers as separate processes on free ports of 127.0.0.1, drives them with wrk (one wrk
thread), interleaving the compared servers A/B/A/B over three repetitions, and prints the
targets P1-P7 (and P4a, R1, S1) with medians. Raw numbers go to benchmarks/results/<timestamp>.json.
See benchmarks/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import seed
from harness import BENCH_DIR, Bench, Timing
from loadgen import require_wrk
from metrics import compute_metrics
from phases import PHASE_DATABASES, PHASES
from report import print_report
from seed import Fixture, Scale, SweepScale
from servers import ROOT

from app.migrations import upgrade_to_head

RESULTS_DIR = BENCH_DIR / "results"
STATE_DIR = Path(tempfile.gettempdir()) / "journal-bench-state"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432"


DEFAULT_PREFIX = "bench_journal"


def database_urls(database: str, postgres: str, folder: Path, prefix: str) -> dict[str, str]:
    """PostgreSQL databases <prefix>_*, or SQLite files in `folder`."""
    names = ("1k", "10k", "1m", "sweep")
    if database == "postgres":
        return {name: f"{postgres}/{prefix}_{name}" for name in names}
    return {name: f"sqlite+aiosqlite:///{folder}/{prefix}_{name}.db" for name in names}


def state_dir(database: str, prefix: str) -> Path:
    """Where the kept databases of `database` (postgres|sqlite) and `prefix` are described."""
    return STATE_DIR / (database if prefix == DEFAULT_PREFIX else f"{database}-{prefix}")


def scales(bulk_participants: int) -> dict[str, Scale | SweepScale]:
    return {
        "1k": Scale(bulk_participants=0, with_clinic=False),
        "10k": Scale(bulk_participants=9, with_clinic=False),
        "1m": Scale(bulk_participants=bulk_participants),
        "sweep": SweepScale(),
    }


def git_state() -> dict[str, str]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "HEAD"),
        "dirty_files": str(len(git("status", "--porcelain").splitlines())),
    }


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
        "--database-prefix",
        default=DEFAULT_PREFIX,
        help="names of the databases (PostgreSQL) or files (SQLite): <prefix>_1m and so on "
        "(default: %(default)s)",
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
    prefix = args.database_prefix
    if not prefix.replace("_", "").isalnum():
        parser.error("--database-prefix: letters, digits and _ only")
    state = state_dir(args.database, prefix)
    state.mkdir(parents=True, exist_ok=True)
    urls = database_urls(args.database, args.postgres_url, state, prefix)
    print(f"Work directory (server logs, header files): {work}")

    # Only the databases the phases read (all of them when no phase is given: seed only).
    needed = {name for phase in phases for name in PHASE_DATABASES[phase]} or set(urls)
    fixtures: dict[str, Fixture] = {}
    for name, scale in scales(args.bulk_participants).items():
        if name not in needed:
            continue
        saved = state / f"{name}.json"
        marker = json.dumps(asdict(scale))
        if args.keep and saved.exists() and (state / f"{name}.scale").read_text() == marker:
            fixtures[name] = Fixture.from_json(saved.read_text())
            print(f"  reusing kept database {name} ({fixtures[name].total_entries:,} entries)")
            upgrade_to_head(fixtures[name].url)  # migrations added since it was seeded
            continue
        print(f"Seeding {name} ...", flush=True)
        if isinstance(scale, SweepScale):
            fixtures[name] = seed.seed_sweep(name, urls[name], scale)
        else:
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
            PHASES[phase](bench)
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
                "sweeps": bench.sweeps,
                "info": bench.info,
                "report": report,
            },
            indent=1,
            default=str,
        )
    )
    print(f"\nRaw numbers: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
