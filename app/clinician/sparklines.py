"""Each listed participant's daily means of a few dimensions over their last local days, for
the console's caseload sparklines: one query over the per-day rollup for a whole page of the
caseload, whatever its size, each participant's days as one flat JSON array (200 rows
instead of 6,000: the rows, not the figures, were the cost; and flat, because parsing 6,000
small arrays was then the cost)."""

import functools
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from pydantic_core import from_json
from sqlalchemy import Text, cast, func, literal
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Caseload
from app.clinician.window import local_today
from app.db import dialect_name
from app.journal.days import DAYS

# A dimension's daily means over a window of days, oldest first: (the day's place in the
# window, 0 for its first day, the mean of that day), for the days that have a rating of it.
DailyMeans = list[tuple[int, float]]


def _flat_days(dialect: str, figures: list[Any]) -> Any:
    """A participant's rollup rows as the inside of one flat JSON array (text):
    `"local date",figure,figure,…` for each day in turn."""
    day = literal('"') + cast(DAYS.c.local_date, Text) + literal('"')
    for figure in figures:
        day = day + literal(",") + cast(figure, Text)
    aggregate = func.string_agg if dialect == "postgresql" else func.group_concat
    return aggregate(day, literal(","))


@functools.lru_cache(maxsize=16)
def _places(last_day: date, days: int) -> dict[str, int]:
    """The window of `days` ending `last_day`: each day (ISO text) and its place."""
    first_day = last_day - timedelta(days=days - 1)
    return {(first_day + timedelta(days=place)).isoformat(): place for place in range(days)}


async def daily_means(
    session: AsyncSession,
    caseload: Caseload,
    participants: Sequence[tuple[uuid.UUID, str]],
    dimensions: Sequence[str],
    days: int,
    now: datetime,
) -> dict[uuid.UUID, dict[str, DailyMeans]]:
    """For each (participant id, time zone) the caseload listed: per dimension, the mean of
    each of their last `days` local days (today included, the window's last place) that has
    a rating of it."""
    if not participants:
        return {}
    todays = {participant_id: local_today(zone, now) for participant_id, zone in participants}
    figures = [DAYS.c[f"{name}_{part}"] for name in dimensions for part in ("count", "sum")]
    statement = (
        caseload.select(
            DAYS,
            DAYS.c.participant_id,
            _flat_days(dialect_name(session), figures),
            among=list(todays),
        )
        .where(
            DAYS.c.local_date > min(todays.values()) - timedelta(days=days),
            DAYS.c.local_date <= max(todays.values()),
        )
        .group_by(DAYS.c.participant_id)
    )
    means: dict[uuid.UUID, dict[str, DailyMeans]] = {
        participant_id: {name: [] for name in dimensions} for participant_id in todays
    }
    stride = 1 + len(figures)
    positions = [(1 + 2 * index, name) for index, name in enumerate(dimensions)]
    for participant_id, flat in await session.execute(statement):
        values = from_json(f"[{flat}]")
        # The participant's own window: their today may differ from the query's bounds.
        places = _places(todays[participant_id], days)
        own = means[participant_id]
        for start in range(0, len(values), stride):
            place = places.get(values[start])
            if place is None:
                continue
            for position, name in positions:
                count = values[start + position]
                if count:
                    total = values[start + position + 1]
                    own[name].append((place, total if count == 1 else round(total / count, 2)))
    for lines in means.values():
        for line in lines.values():
            line.sort()
    return means
