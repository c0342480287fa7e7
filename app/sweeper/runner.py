"""Running the sweeper: inside `journal serve` (every JOURNAL_SWEEP_INTERVAL_SECONDS), or as
its own process (`journal sweep [--once]`). A pass is the time-based alert rules, then
webhook delivery (app/sweeper/relay.py)."""

import asyncio
import logging
import os

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.access import Sweep, sweep_for
from app.config import Settings
from app.sweeper.relay import RelayReport, relay_once
from app.sweeper.service import PassReport, sweep_once

logger = logging.getLogger("app.sweeper")


async def sweep_and_log(
    sessionmaker: async_sessionmaker[AsyncSession], batch: int, settings: Settings
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
    relayed = await relay_and_log(sessionmaker, sweep, settings)
    return report if relayed is not None else None


async def relay_and_log(
    sessionmaker: async_sessionmaker[AsyncSession], sweep: Sweep, settings: Settings
) -> RelayReport | None:
    """Webhook delivery, logged with its counts (never a URL's answer or a payload). Left to
    a process that has the signing key (`journal sweep` may run without one)."""
    if settings.secret_key is None:
        return RelayReport()
    try:
        report = await relay_once(sessionmaker, sweep, settings)
    except Exception as exc:
        logger.warning("relay failed: %s", type(exc).__name__, extra={"event": "relay.failed"})
        return None
    if not (report.fanned_out or report.endpoints):
        return report  # a quiet pass, every second: not worth a line
    logger.info(
        "relay: %s events fanned out, %s delivered, %s attempts failed, %s endpoints",
        report.fanned_out,
        report.delivered,
        report.failed_attempts,
        len(report.endpoints),
        extra={"event": "relay.pass"},
    )
    return report


async def sweep_forever(
    sessionmaker: async_sessionmaker[AsyncSession],
    interval_seconds: float,
    batch: int,
    settings: Settings,
) -> None:
    """A pass every `interval_seconds`, the first one interval after start."""
    while True:
        await asyncio.sleep(interval_seconds)
        await sweep_and_log(sessionmaker, batch, settings)


async def relay_forever(
    sessionmaker: async_sessionmaker[AsyncSession], interval_seconds: float, settings: Settings
) -> None:
    """Webhook delivery every `interval_seconds` (more often than the sweeper's pass, which
    delivers too: an event should not wait a minute)."""
    sweep = sweep_for(f"relay-{os.getpid()}")
    while True:
        await asyncio.sleep(interval_seconds)
        await relay_and_log(sessionmaker, sweep, settings)
