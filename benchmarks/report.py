"""The report: the target table and the per-scenario table, printed and kept with the raw runs."""

from __future__ import annotations

from harness import Bench
from metrics import Metric, med, median


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
    if bench.sweeps:
        lines += ["", "Sweeper passes (nothing due; app.sweeper.runner.sweep_and_log):", ""]
        for measured in bench.sweeps:
            cpu = measured["db_cpu_seconds"]
            lines.append(
                f"  rep {measured['rep'] + 1}: statements {measured['statement_seconds']:.3f} s"
                f" ({measured['statements']} statements), wall {measured['wall_seconds']:.3f} s"
                + (f", PostgreSQL CPU {cpu:.3f} s" if cpu is not None else "")
                + f"; {measured['participants']:,} participants, {measured['escalated']} "
                f"escalated, {measured['raised']} raised"
            )
    report = "\n".join(lines)
    print("\n" + report)
    return report
