"""Each listed participant's daily means of a few dimensions over their last local days, for
the console's caseload sparklines: one query over the per-day rollup for a whole page of the
caseload, whatever its size, each participant's days in one row (200 rows instead of 6,000:
the rows, not the figures, were the cost): arrays on PostgreSQL, one flat JSON array on
SQLite (parsing 6,000 small arrays was then the cost, and building text in the query)."""

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
from app.journal.queries import COUNTERS

# A dimension's daily means over a window of days, oldest first: (the day's place in the
# window, 0 for its first day, the mean of that day), for the days that have a rating of it.
DailyMeans = list[tuple[int, float]]


def _days_of_each(dialect: str, figures: list[Any]) -> list[Any]:
    """A participant's rollup rows as columns of one row: on PostgreSQL an array per column
    (the aggregates of a group read its rows in one order, so the arrays line up); on
    SQLite the inside of one flat JSON array (text), `"local date",figure,…` day by day."""
    if dialect == "postgresql":
        return [func.array_agg(column) for column in (DAYS.c.local_date, *figures)]
    day = literal('"') + cast(DAYS.c.local_date, Text) + literal('"')
    for figure in figures:
        day = day + literal(",") + cast(figure, Text)
    return [func.group_concat(day, literal(","))]


def _columns(dialect: str, row: Sequence[Any], count: int) -> list[list[Any]]:
    """The days and each figure's values from a row of `_days_of_each` (without its id)."""
    if dialect == "postgresql":
        return [list(column) for column in row]
    values = from_json(f"[{row[0]}]")
    return [values[start::count] for start in range(count)]


@functools.lru_cache(maxsize=16)
def _places(last_day: date, days: int) -> dict[date | str, int]:
    """The window of `days` ending `last_day`: each day's place, by the day as a date and
    as ISO text."""
    first_day = last_day - timedelta(days=days - 1)
    places: dict[date | str, int] = {}
    for place in range(days):
        day = first_day + timedelta(days=place)
        places[day] = places[day.isoformat()] = place
    return places


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
    dialect = dialect_name(session)
    statement = (
        caseload.select(
            DAYS,
            DAYS.c.participant_id,
            *_days_of_each(dialect, figures),
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
    for participant_id, *row in await session.execute(statement):
        local_dates, *columns = _columns(dialect, row, 1 + len(figures))
        # The participant's own window: their today may differ from the query's bounds.
        places = _places(todays[participant_id], days)
        spots = [places.get(day) for day in local_dates]
        for index, name in enumerate(dimensions):
            counts, totals = columns[2 * index], columns[2 * index + 1]
            means[participant_id][name] = sorted(
                (place, total if count == 1 else round(total / count, 2))
                for place, count, total in zip(spots, counts, totals, strict=True)
                if count and place is not None
            )
    return means


async def journal_versions(
    session: AsyncSession, caseload: Caseload, participant_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Each listed participant's last change number (0 before their first write): every
    write to their journal, edits and deletions too, moves it, so daily means drawn at one
    number and one local today stay true until it moves."""
    statement = caseload.select(
        COUNTERS, COUNTERS.c.participant_id, COUNTERS.c.last_change_seq, among=participant_ids
    )
    versions = {participant_id: 0 for participant_id in participant_ids}
    for participant_id, last_change_seq in await session.execute(statement):
        versions[participant_id] = last_change_seq
    return versions
