"""Each listed participant's daily means of a few dimensions over their last local days, for
the console's caseload sparklines: one query over the per-day rollup for a whole page of the
caseload, whatever its size."""

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Caseload
from app.clinician.window import local_today
from app.journal.days import DAYS

DailyMeans = dict[date, float]


async def daily_means(
    session: AsyncSession,
    caseload: Caseload,
    participants: Sequence[tuple[uuid.UUID, str]],
    dimensions: Sequence[str],
    days: int,
    now: datetime,
) -> dict[uuid.UUID, dict[str, DailyMeans]]:
    """For each (participant id, time zone) the caseload listed: per dimension, the mean of
    each of their last `days` local days (today included) that has a rating of it."""
    if not participants:
        return {}
    todays = {participant_id: local_today(zone, now) for participant_id, zone in participants}
    figures = [DAYS.c[f"{name}_{part}"] for name in dimensions for part in ("count", "sum")]
    statement = caseload.select(
        DAYS, DAYS.c.participant_id, DAYS.c.local_date, *figures, among=list(todays)
    ).where(
        DAYS.c.local_date > min(todays.values()) - timedelta(days=days),
        DAYS.c.local_date <= max(todays.values()),
    )
    means: dict[uuid.UUID, dict[str, DailyMeans]] = {
        participant_id: {name: {} for name in dimensions} for participant_id in todays
    }
    for row in await session.execute(statement):
        _add_day(means, todays, dimensions, days, row)
    return means


def _add_day(
    means: dict[uuid.UUID, dict[str, DailyMeans]],
    todays: dict[uuid.UUID, date],
    dimensions: Sequence[str],
    days: int,
    row: Sequence[Any],
) -> None:
    participant_id, day, *counts_and_sums = row
    today = todays[participant_id]
    if not today - timedelta(days=days) < day <= today:
        return  # another participant's window (their today differs)
    for index, name in enumerate(dimensions):
        count, total = counts_and_sums[2 * index], counts_and_sums[2 * index + 1]
        if count:
            means[participant_id][name][day] = round(total / count, 2)
