"""The targets as a table: P1-P7, P4a, R1 and L1 are each one ratio of two measured figures; P5 a
ratio of peak memory; S1 the database time of a sweeper pass."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness import Bench
from loadgen import RunResult

Runs = dict[str, list[RunResult]]


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def med(runs: Runs, key: str, attribute: str) -> float:
    return median([float(getattr(run, attribute)) for run in runs.get(key, [])])


@dataclass
class Metric:
    name: str
    value: float | None
    target: str
    verdict: str
    detail: str


@dataclass(frozen=True)
class Ratio:
    """`numerator / denominator`, each `(scenario key, RunResult attribute)`; `good` passes
    it, `floor` (if any) lets it through as the agreed minimum; `detail` says what it is of."""

    name: str
    numerator: tuple[str, str]
    denominator: tuple[str, str]
    target: str
    good: Callable[[float], bool]
    detail: Callable[[Callable[[str, str], float]], str]
    floor: Callable[[float], bool] | None = None
    sqlite_target: str | None = None  # when set: on SQLite, shown for information only


def _figure(runs: Runs) -> Callable[[str, str], float]:
    return lambda key, attribute: med(runs, key, attribute)


RATIOS = [
    Ratio(
        "P1 entry POST: real / bare Core insert (req/s)",
        ("real.post", "rps"),
        ("bare.post", "rps"),
        ">= 0.70",
        lambda v: v >= 0.70,
        lambda f: f"{f('real.post', 'rps'):.0f} vs {f('bare.post', 'rps'):.0f} req/s",
    ),
    Ratio(
        "P2 list(50) req/s: 1M rows / 1k rows",
        ("p2.list@1m", "rps"),
        ("p2.list@1k", "rps"),
        ">= 0.95",
        lambda v: v >= 0.95,
        lambda f: f"{f('p2.list@1m', 'rps'):.0f} vs {f('p2.list@1k', 'rps'):.0f} req/s",
    ),
    Ratio(
        "P2 list(50) p50: 1M rows / 1k rows",
        ("p2.list@1m", "p50_ms"),
        ("p2.list@1k", "p50_ms"),
        "<= 1.10",
        lambda v: v <= 1.10,
        lambda f: f"{f('p2.list@1m', 'p50_ms'):.1f} vs {f('p2.list@1k', 'p50_ms'):.1f} ms",
    ),
    Ratio(
        "P3 list(50) real / bare Core insert (req/s)",
        ("real.list@1m", "rps"),
        ("bare.post", "rps"),
        ">= 0.65",
        lambda v: v >= 0.65,
        lambda f: (
            f"{f('real.list@1m', 'rps'):.0f} vs {f('bare.post', 'rps'):.0f} req/s (as specified)"
        ),
    ),
    Ratio(
        "P3b list(50) real / bare Core list (req/s)",
        ("real.list@1m", "rps"),
        ("bare.list", "rps"),
        ">= 0.65",
        lambda v: v >= 0.65,
        lambda f: (
            f"{f('real.list@1m', 'rps'):.0f} vs {f('bare.list', 'rps'):.0f} req/s (like for like)"
        ),
    ),
    Ratio(
        "P4 overview(200) p50 / one participant's list p50",
        ("p4.overview200", "p50_ms"),
        ("p4.participant_entries", "p50_ms"),
        "<= 3 (floor 6)",
        lambda v: v <= 3,
        lambda f: (
            f"overview p50 {f('p4.overview200', 'p50_ms'):.1f} ms, p95 "
            f"{f('p4.overview200', 'p95_ms'):.1f} ms; list p50 "
            f"{f('p4.participant_entries', 'p50_ms'):.1f} ms (1 conn)"
        ),
        floor=lambda v: v <= 6,
    ),
    Ratio(
        "P4a overview(200) with alerts p50 / list p50",
        ("p4a.overview200", "p50_ms"),
        ("p4a.participant_entries", "p50_ms"),
        "<= 3 (floor 6)",
        lambda v: v <= 3,
        lambda f: (
            f"overview p50 {f('p4a.overview200', 'p50_ms'):.1f} ms, p95 "
            f"{f('p4a.overview200', 'p95_ms'):.1f} ms (no alerts: "
            f"{f('p4a.overview200.no_alerts', 'p50_ms'):.1f} ms); list p50 "
            f"{f('p4a.participant_entries', 'p50_ms'):.1f} ms (1 conn)"
        ),
        floor=lambda v: v <= 6,
    ),
    Ratio(
        "P6 entry POST p99: with 5 logins/s / without",
        ("p6.post+logins", "p99_ms"),
        ("p6.post", "p99_ms"),
        "<= 1.2",
        lambda v: v <= 1.2,
        lambda f: (
            f"{f('p6.post+logins', 'p99_ms'):.1f} vs {f('p6.post', 'p99_ms'):.1f} ms; "
            f"req/s {f('p6.post+logins', 'rps'):.0f} vs {f('p6.post', 'rps'):.0f}"
        ),
    ),
    Ratio(
        "P7 entry POST req/s: 2 workers / 1 worker",
        ("p7.post.2workers", "rps"),
        ("p7.post.1worker", "rps"),
        ">= 1.4",
        lambda v: v >= 1.4,
        lambda f: f"{f('p7.post.2workers', 'rps'):.0f} vs {f('p7.post.1worker', 'rps'):.0f} req/s",
        # One writer at a time: a second process cannot add writes.
        sqlite_target="n/a (SQLite)",
    ),
    Ratio(
        "C1 console caseload page p50 / API overview p50 (200)",
        ("c1.console_caseload", "p50_ms"),
        ("c1.overview200", "p50_ms"),
        "<= 1.5",
        lambda v: v <= 1.5,
        lambda f: (
            f"console p50 {f('c1.console_caseload', 'p50_ms'):.1f} ms vs overview p50 "
            f"{f('c1.overview200', 'p50_ms'):.1f} ms; CPU "
            f"{f('c1.console_caseload', 'cpu_ms_per_request'):.1f} vs "
            f"{f('c1.overview200', 'cpu_ms_per_request'):.1f} ms/req (1 conn)"
        ),
    ),
    Ratio(
        "C1 cold: every line drawn anew (none kept) / overview",
        ("c1.console_caseload.cold", "p50_ms"),
        ("c1.overview200", "p50_ms"),
        "<= 1.5",
        lambda v: v <= 1.5,
        lambda f: (
            f"console p50 {f('c1.console_caseload.cold', 'p50_ms'):.1f} ms, CPU "
            f"{f('c1.console_caseload.cold', 'cpu_ms_per_request'):.1f} ms/req: a first view "
            "after every journal changed"
        ),
    ),
    Ratio(
        "R1 entry POST req/s: default alert rules / none",
        ("rules.post.on", "rps"),
        ("rules.post.off", "rps"),
        ">= 0.90",
        lambda v: v >= 0.90,
        lambda f: (
            f"{f('rules.post.on', 'rps'):.0f} vs {f('rules.post.off', 'rps'):.0f} req/s; p50 "
            f"{f('rules.post.on', 'p50_ms'):.1f} vs {f('rules.post.off', 'p50_ms'):.1f} ms; "
            f"server CPU {f('rules.post.on', 'cpu_ms_per_request'):.2f} vs "
            f"{f('rules.post.off', 'cpu_ms_per_request'):.2f} ms/req"
        ),
    ),
    Ratio(
        "L1 entry POST req/s: request log on / off",
        ("log.post.on", "rps"),
        ("log.post.off", "rps"),
        ">= 0.97",
        lambda v: v >= 0.97,
        lambda f: (
            f"{f('log.post.on', 'rps'):.0f} vs {f('log.post.off', 'rps'):.0f} req/s; "
            f"server CPU {f('log.post.on', 'cpu_ms_per_request'):.2f} vs "
            f"{f('log.post.off', 'cpu_ms_per_request'):.2f} ms/req"
        ),
    ),
]
SWEEP_TARGET_SECONDS = 1.0


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


def _ratio_metric(bench: Bench, ratio: Ratio) -> Metric:
    figure = _figure(bench.runs)
    below = figure(*ratio.denominator)
    value = figure(*ratio.numerator) / below if below else float("nan")
    target, verdict = ratio.target, _verdict(value, ratio.good, ratio.floor)
    if bench.database == "sqlite" and ratio.sqlite_target is not None:
        target, verdict = ratio.sqlite_target, "info"
    keys = (ratio.numerator[0], ratio.denominator[0])
    failed = sum(run.failed for key in keys for run in bench.runs.get(key, []))
    # A run with failed requests makes its figure meaningless.
    verdict = f"ERRORS({failed})" if failed else verdict
    return Metric(ratio.name, value, target, verdict, ratio.detail(figure))


def _export_metric(exports: list[dict[str, Any]]) -> Metric:
    """P5: peak RSS of the server during a 100k-entry export over a 1k-entry one."""

    def of(label: str, field: str) -> float:
        return median([e[field] for e in exports if e["label"] == f"export.{label}"])

    small, large = of("1k", "peak_kib"), of("100k", "peak_kib")
    value = large / small if small else float("nan")
    detail = (
        f"{large / 1024:.1f} vs {small / 1024:.1f} MiB; growth over idle "
        f"{of('100k', 'growth_kib') / 1024:.1f} vs {of('1k', 'growth_kib') / 1024:.1f} MiB"
    )
    broken = [e for e in exports if not e["complete"]]
    if broken:
        detail = (
            f"{len(broken)}/{len(exports)} exports INCOMPLETE "
            f"({broken[0]['label']}: {broken[0]['error']}); " + detail
        )
    verdict = "FAIL" if broken else _verdict(value, lambda v: v <= 1.2)
    return Metric("P5 export peak RSS: 100k entries / 1k entries", value, "<= 1.2", verdict, detail)


def _sweep_metric(sweeps: list[dict[str, Any]]) -> Metric:
    """S1: the database time of one sweeper pass with nothing due (median of the passes)."""
    name = "S1 sweeper pass, 10k participants, none due: DB s"
    target = f"< {SWEEP_TARGET_SECONDS:g} s"
    if not sweeps:
        return Metric(name, float("nan"), target, "n/a", "")

    def of(field: str) -> float:
        return median([float(s[field]) for s in sweeps if s[field] is not None])

    value = of("statement_seconds")
    spread = ", ".join(f"{s['statement_seconds']:.3f}" for s in sweeps)
    detail = (
        f"statements {spread} s ({of('statements'):.0f} each); wall {of('wall_seconds'):.3f} s"
        + (f"; PostgreSQL CPU {of('db_cpu_seconds'):.3f} s" if sweeps[0]["db_cpu_seconds"] else "")
        + f"; {sweeps[0]['participants']:,} participants, batches of {sweeps[0]['batch_size']}"
    )
    verdict = _verdict(value, lambda v: v < SWEEP_TARGET_SECONDS)
    wrong = [s for s in sweeps if not s["as_expected"]]
    if wrong:
        # A pass that escalated or raised something did not measure "nothing due".
        verdict = "INVALID"
        detail = (
            f"{len(wrong)} passes found work (escalated {wrong[0]['escalated']}, raised "
            f"{wrong[0]['raised']}, participants {wrong[0]['participants']}); " + detail
        )
    return Metric(name, value, target, verdict, detail)


def compute_metrics(bench: Bench) -> list[Metric]:
    metrics = [_ratio_metric(bench, ratio) for ratio in RATIOS]
    p5 = _export_metric(bench.exports)
    position = next(i for i, m in enumerate(metrics) if m.name.startswith("P6"))
    return [*metrics[:position], p5, *metrics[position:], _sweep_metric(bench.sweeps)]
