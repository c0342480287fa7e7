"""Running the sweeper: inside `journal serve` (every JOURNAL_SWEEP_INTERVAL_SECONDS), or as
its own process (`journal sweep [--once]`)."""

import asyncio
import logging
import os

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.access import sweep_for
from app.sweeper.service import PassReport, sweep_once

logger = logging.getLogger("app.sweeper")


async def sweep_and_log(
    sessionmaker: async_sessionmaker[AsyncSession], batch: int
) -> PassReport | None:
    """One pass, logged with its counts (never what an alert says). A database that is away
    fails the pass, not the process: the next pass tries again."""
    sweep = sweep_for(f"sweeper-{os.getpid()}")
    try:
        report = await sweep_once(sessionmaker, sweep, batch)
    except Exception as exc:
        logger.warning("sweep pass failed: %s", type(exc).__name__, extra={"event": "sweep.failed"})
        return None
    logger.info(
        "sweep pass: %s escalated, %s raised, %s participants%s",
        report.escalated,
        report.raised,
        report.participants,
        " (another process is sweeping)" if report.skipped else "",
        extra={"event": "sweep.pass"},
    )
    return report


async def sweep_forever(
    sessionmaker: async_sessionmaker[AsyncSession], interval_seconds: float, batch: int
) -> None:
    """A pass every `interval_seconds`, the first one interval after start."""
    while True:
        await asyncio.sleep(interval_seconds)
        await sweep_and_log(sessionmaker, batch)
