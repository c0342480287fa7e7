"""Each listed participant's daily means of a few dimensions over their last local days, for
the console's caseload sparklines: one query over the per-day rollup for a whole page of the
caseload, whatever its size, each participant's days as one JSON array (200 rows instead of
6,000: the rows, not the figures, were the cost)."""

import json
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, func
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Caseload
from app.clinician.window import local_today
from app.db import dialect_name
from app.journal.days import DAYS

DailyMeans = dict[date, float]


def _days_json(dialect: str, figures: list[Any]) -> Any:
    """A participant's rollup rows as one JSON array (text) of `[local_date, figures...]`:
    one row per participant from the database instead of one per day."""
    if dialect == "postgresql":
        return cast(func.json_agg(func.json_build_array(*figures)), Text)
    return func.json_group_array(func.json_array(*figures))


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
    rows = _days_json(dialect_name(session), [DAYS.c.local_date, *figures])
    statement = (
        caseload.select(DAYS, DAYS.c.participant_id, rows, among=list(todays))
        .where(
            DAYS.c.local_date > min(todays.values()) - timedelta(days=days),
            DAYS.c.local_date <= max(todays.values()),
        )
        .group_by(DAYS.c.participant_id)
    )
    means: dict[uuid.UUID, dict[str, DailyMeans]] = {
        participant_id: {name: {} for name in dimensions} for participant_id in todays
    }
    for participant_id, days_json in await session.execute(statement):
        today = todays[participant_id]
        # As text: the participant's own window (their today may differ from the query's).
        earliest, latest = (today - timedelta(days=days)).isoformat(), today.isoformat()
        own = means[participant_id]
        for day, *counts_and_sums in json.loads(days_json):
            if not earliest < day <= latest:
                continue
            for index, name in enumerate(dimensions):
                count = counts_and_sums[2 * index]
                if count:
                    own[name][date.fromisoformat(day)] = round(
                        counts_and_sums[2 * index + 1] / count, 2
                    )
    return means
