"""S1: one sweeper pass over 10,000 participants that gives it nothing to do, and its database time.

The pass is the service's own (`app.sweeper.runner.sweep_and_log`, what `journal sweep --once`
and `journal serve` run), on an engine made by `app.db.create_engine` with the benchmark's
settings (so the batch size is the default, 500). Three figures per pass:

* statement time: the sum over every statement of the time from SQLAlchemy's
  `before_cursor_execute` to its `after_cursor_execute` (with asyncpg: sending, the database's
  work, and receiving every row), i.e. the pass's database time as the process sees it;
  transaction BEGIN/COMMIT round trips are not cursor executions and are not in it;
* PostgreSQL CPU: user+system time of the backends connected to the database
  (pg_stat_statements would need `shared_preload_libraries`, i.e. a restart of the server);
* wall: the whole pass, Python included.

One pass warms the connection and the statement caches first; `reps` passes are measured."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

from harness import Bench
from seed import bench_settings
from servers import CpuMeter
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url

from app.db import create_engine, create_sessionmaker
from app.sweeper.runner import sweep_and_log


class StatementClock:
    """Statement round trips of one engine: count, seconds, and seconds by statement."""

    def __init__(self, engine: Engine) -> None:
        self.statements = 0
        self.seconds = 0.0
        self.by_statement: Counter[str] = Counter()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def reset(self) -> None:
        self.statements, self.seconds = 0, 0.0
        self.by_statement.clear()

    def _before(self, connection: Any, *_: Any) -> None:
        connection.info.setdefault("bench_started", []).append(time.perf_counter())

    def _after(self, connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        elapsed = time.perf_counter() - connection.info["bench_started"].pop()
        self.statements += 1
        self.seconds += elapsed
        self.by_statement[" ".join(statement.split())[:90]] += elapsed


async def measure_passes(url: str, reps: int, expected: int) -> list[dict[str, Any]]:
    """One warm-up pass, then `reps` measured passes; each checked to have had nothing to
    do (no alert escalated or raised) and to have covered `expected` participants."""
    settings = bench_settings(url)
    parsed = make_url(url)
    database = parsed.database if parsed.get_backend_name() == "postgresql" else None
    engine = create_engine(settings)
    clock = StatementClock(engine.sync_engine)
    sessionmaker = create_sessionmaker(engine)
    passes: list[dict[str, Any]] = []
    try:
        for rep in range(-1, reps):
            clock.reset()
            meter = CpuMeter(database)
            meter.begin()
            started = time.perf_counter()
            report = await sweep_and_log(sessionmaker, settings.sweep_batch_size, settings)
            wall = time.perf_counter() - started
            if report is None:
                raise RuntimeError("the sweep pass failed (app.sweeper logged why)")
            nothing_due = report.escalated == 0 and report.raised == 0 and not report.skipped
            measured = {
                "rep": rep,
                "wall_seconds": round(wall, 4),
                "statement_seconds": round(clock.seconds, 4),
                "statements": clock.statements,
                "db_cpu_seconds": round(meter.seconds(), 3) if database else None,
                "participants": report.participants,
                "escalated": report.escalated,
                "raised": report.raised,
                "skipped": report.skipped,
                "batch_size": settings.sweep_batch_size,
                "as_expected": nothing_due and report.participants == expected,
                "slowest_statements": [
                    {"statement": text, "seconds": round(seconds, 4)}
                    for text, seconds in clock.by_statement.most_common(4)
                ],
            }
            if rep >= 0:
                passes.append(measured)
            label = "warm-up" if rep < 0 else f"rep {rep + 1}"
            cpu = measured["db_cpu_seconds"]
            print(
                f"    sweep.pass {label:<8}: statements {clock.seconds:6.3f} s "
                f"({clock.statements} statements), wall {wall:6.3f} s"
                + (f", PostgreSQL CPU {cpu:.3f} s" if cpu is not None else "")
                + f"; {report.participants:,} participants, {report.escalated} escalated, "
                f"{report.raised} raised",
                flush=True,
            )
    finally:
        await engine.dispose()
    return passes


def sweeper(bench: Bench) -> None:
    """S1: a sweeper pass over 10,000 participants with nothing due, measured `reps` times."""
    fixture = bench.fixtures["sweep"]
    print(
        f"S1: sweeper pass over {fixture.sweep_participants:,} participants, nothing due "
        f"({fixture.total_entries:,} entries; alerts {fixture.alerts})",
        flush=True,
    )
    passes = asyncio.run(measure_passes(fixture.url, bench.timing.reps, fixture.sweep_participants))
    bench.sweeps.extend(passes)
    slowest = Counter[str]()
    for measured in passes:
        for item in measured["slowest_statements"]:
            slowest[item["statement"]] += item["seconds"] / len(passes)
    for statement, seconds in slowest.most_common(3):
        print(f"      {seconds:6.3f} s per pass: {statement}")
