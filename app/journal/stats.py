"""Descriptive statistics of one participant's entries, computed in SQL."""

from datetime import date, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, String, cast, func, literal, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from app.access import ParticipantScope
from app.db import dialect_name, utcnow
from app.errors import InvalidInput
from app.journal.days import DAYS
from app.journal.models import RATING_COLUMNS
from app.journal.schemas import DimensionStats, SeriesPoint, Summary

Bucket = Literal["day", "week"]
DEFAULT_RANGE_DAYS = 30


def summary_range(from_date: date | None, to_date: date | None, timezone: str) -> tuple[date, date]:
    """The local dates to summarise: by default the last 30 days in the participant's zone."""
    to_date = to_date or utcnow().astimezone(ZoneInfo(timezone)).date()
    if from_date is None:
        earliest = date.min + timedelta(days=DEFAULT_RANGE_DAYS - 1)
        from_date = (
            to_date - timedelta(days=DEFAULT_RANGE_DAYS - 1) if to_date >= earliest else date.min
        )
    if from_date > to_date:
        raise InvalidInput("query.from", "`from` must not be after `to`.", "bad-range")
    return from_date, to_date


def period_start(
    dialect: str, bucket: Bucket, local_date: ColumnElement[date]
) -> ColumnElement[date]:
    """The bucket a local date falls in: itself, or the Monday of its ISO week."""
    if bucket == "day":
        return type_coerce(local_date, Date)
    if dialect == "postgresql":
        return cast(func.date_trunc("week", local_date), Date)
    days_since_monday = (cast(func.strftime("%w", local_date), Integer) + 6) % 7
    modifier = literal("-") + cast(days_since_monday, String) + literal(" days")
    return type_coerce(func.date(local_date, modifier), Date)


def _figures(dimension: str) -> list[ColumnElement[Any]]:
    return [func.sum(DAYS.c[f"{dimension}_{figure}"]) for figure in ("count", "sum")]


def _mean_of(count: Any, total: Any) -> float | None:
    return round(int(total) / int(count), 2) if count else None


async def summarize(
    session: AsyncSession,
    scope: ParticipantScope,
    from_date: date,
    to_date: date,
    bucket: Bucket = "day",
) -> Summary:
    """Count, mean, min and max per dimension over the local dates [from, to], and a series
    of means per day or ISO week. Two aggregate queries over the per-day rollup (one row a
    day), whatever the number of entries."""
    in_range = (DAYS.c.local_date >= from_date, DAYS.c.local_date <= to_date)
    aggregates = [
        aggregate
        for name in RATING_COLUMNS
        for aggregate in (
            *_figures(name),
            func.min(DAYS.c[f"{name}_min"]),
            func.max(DAYS.c[f"{name}_max"]),
        )
    ]
    totals = (
        await session.execute(
            scope.select(DAYS, func.coalesce(func.sum(DAYS.c.entries), 0), *aggregates).where(
                *in_range
            )
        )
    ).one()
    stats = {
        name: DimensionStats(
            count=totals[1 + 4 * index] or 0,
            mean=_mean_of(totals[1 + 4 * index], totals[2 + 4 * index]),
            min=totals[3 + 4 * index],
            max=totals[4 + 4 * index],
        )
        for index, name in enumerate(RATING_COLUMNS)
    }
    start = period_start(dialect_name(session), bucket, DAYS.c.local_date).label("period_start")
    sums = [figure for name in RATING_COLUMNS for figure in _figures(name)]
    series_query = (
        scope.select(DAYS, start, func.sum(DAYS.c.entries), *sums)
        .where(*in_range)
        .group_by(start)
        .order_by(start)
    )
    series = [
        SeriesPoint(
            period_start=row[0],
            entries=row[1],
            **{
                name: _mean_of(row[2 + 2 * index], row[3 + 2 * index])
                for index, name in enumerate(RATING_COLUMNS)
            },
        )
        for row in await session.execute(series_query)
    ]
    return Summary(
        from_date=from_date, to_date=to_date, entries=int(totals[0]), series=series, **stats
    )
