"""The per-day rollup of a participant's live entries (`journal_days`), kept in the
transaction of every entry write, and the figures read from it.

A create adds its entry to its day with one upsert (the hot path: no read of the day's
other entries). An edit or a deletion counts the day again from its live entries instead:
the lowest and highest rating of a day cannot be taken back by arithmetic, and edits are
rare. Every write takes the participant's journal lock first (app/journal/counters.py), so
one participant's rollup rows are changed by one transaction at a time."""

import functools
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    Delete,
    ScalarSelect,
    Select,
    Text,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from app.access import SCOPE_PARTICIPANT, ParticipantScope, scoped_template
from app.access.scope import scoped_delete_template, scoped_insert_template
from app.db import dialect_name
from app.journal.models import JOURNAL_DAYS, RATING_COLUMNS
from app.journal.queries import ENTRIES, LIVE

DAYS = JOURNAL_DAYS
DAY = bindparam("local_date", type_=Date())
FIGURES = ("count", "sum", "min", "max")


def figure_columns() -> list[str]:
    """The rollup's columns after the key, in table order."""
    return ["entries", *(f"{d}_{figure}" for d in RATING_COLUMNS for figure in FIGURES)]


def entry_figures(entry: dict[str, Any]) -> dict[str, Any]:
    """What one live entry adds to its day."""
    figures: dict[str, Any] = {"local_date": entry["local_date"], "entries": 1}
    for dimension in RATING_COLUMNS:
        value = entry[dimension]
        figures |= {
            f"{dimension}_count": int(value is not None),
            f"{dimension}_sum": value or 0,
            f"{dimension}_min": value,
            f"{dimension}_max": value,
        }
    return figures


def _lower(stored: ColumnElement[Any], new: ColumnElement[Any]) -> ColumnElement[Any]:
    # Spelled out: PostgreSQL's LEAST skips NULLs, SQLite's min() returns NULL.
    return case((or_(stored.is_(None), new < stored), new), else_=stored)


def _higher(stored: ColumnElement[Any], new: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((or_(stored.is_(None), new > stored), new), else_=stored)


def _adding(insert: PostgresInsert | SQLiteInsert) -> Insert:
    """`insert` (of one entry's figures) adding to the day's row where it exists."""
    new = insert.excluded
    merged: dict[str, Any] = {"entries": DAYS.c.entries + new.entries}
    for dimension in RATING_COLUMNS:
        count, total, low, high = (f"{dimension}_{figure}" for figure in FIGURES)
        merged |= {
            count: DAYS.c[count] + new[count],
            total: DAYS.c[total] + new[total],
            low: _lower(DAYS.c[low], new[low]),
            high: _higher(DAYS.c[high], new[high]),
        }
    return insert.on_conflict_do_update(
        index_elements=[DAYS.c.participant_id, DAYS.c.local_date], set_=merged
    )


@functools.cache
def _count_in(dialect: str) -> Insert:
    """Add one entry's figures (`entry_figures`) to its day, creating the day's row."""
    values: dict[str, Any] = {"participant_id": SCOPE_PARTICIPANT, "local_date": DAY}
    values |= {name: bindparam(name, type_=DAYS.c[name].type) for name in figure_columns()}
    return _adding(scoped_insert_template(dialect, DAYS).values(values))


def counting_in(inserted: CTE) -> Insert:
    """For PostgreSQL, whose writable CTEs let the entry's insert and this go in one
    statement: add the entry the CTE `inserted` returns (if any) to its day."""
    figures: list[ColumnElement[Any]] = [inserted.c.participant_id, inserted.c.local_date]
    figures.append(literal(1))
    for dimension in RATING_COLUMNS:
        value = inserted.c[dimension]
        figures += [case((value.is_(None), 0), else_=1), func.coalesce(value, 0), value, value]
    columns = ["participant_id", "local_date", *figure_columns()]
    insert = scoped_insert_template("postgresql", DAYS).from_select(columns, select(*figures))
    return _adding(insert)


def _day_of_entries() -> Select[Any]:
    """One local day's figures counted from its live entries (no row when it has none)."""
    figures: list[ColumnElement[Any]] = []
    for dimension in RATING_COLUMNS:
        column = ENTRIES.c[dimension]
        figures += [
            func.count(column),
            func.coalesce(func.sum(column), 0),
            func.min(column),
            func.max(column),
        ]
    return (
        scoped_template(ENTRIES, ENTRIES.c.participant_id, ENTRIES.c.local_date, func.count())
        .add_columns(*figures)
        .where(LIVE, ENTRIES.c.local_date == DAY)
        .group_by(ENTRIES.c.participant_id, ENTRIES.c.local_date)
    )


@functools.cache
def _recount(dialect: str) -> tuple[Delete, Insert]:
    forget = scoped_delete_template(DAYS).where(DAYS.c.local_date == DAY)
    columns = ["participant_id", "local_date", *figure_columns()]
    return forget, scoped_insert_template(dialect, DAYS).from_select(columns, _day_of_entries())


async def count_in(session: AsyncSession, scope: ParticipantScope, entry: dict[str, Any]) -> None:
    """Add a newly stored live entry to its day."""
    await session.execute(_count_in(dialect_name(session)), scope.bind(**entry_figures(entry)))


async def recount(session: AsyncSession, scope: ParticipantScope, days: Iterable[date]) -> None:
    """Count `days` again from their live entries, after an edit or a deletion."""
    forget, count = _recount(dialect_name(session))
    for day in sorted(set(days)):
        await session.execute(forget, scope.bind(local_date=day))
        await session.execute(count, scope.bind(local_date=day))


def forget_all(scope: ParticipantScope) -> Delete:
    """Every rollup row of the participant: for erasure."""
    return scope.delete(DAYS)


def days_between(*columns: ColumnElement[Any]) -> Select[Any]:
    """A statement built once: `columns` of the rollup rows of whichever participant a scope
    binds, between the bound days `since` and `until`."""
    return scoped_template(DAYS, *columns).where(
        and_(
            DAYS.c.local_date >= bindparam("since", type_=Date()),
            DAYS.c.local_date <= bindparam("until", type_=Date()),
        )
    )


SUMS = [f"{dimension}_{figure}" for dimension in RATING_COLUMNS for figure in ("count", "sum")]


def days_as_json(dialect: str) -> ScalarSelect[Any]:
    """The rollup's days between the bound `since` and `until` as one JSON array (text) of
    `[local_date, count and sum of each dimension]`: a value to read beside another
    statement's rows, in its round trip."""
    figures = [DAYS.c.local_date, *(DAYS.c[name] for name in SUMS)]
    aggregate: ColumnElement[Any]
    if dialect == "postgresql":
        # As text, as SQLite's is: the driver would decode json itself.
        aggregate = cast(func.json_agg(func.json_build_array(*figures)), Text)
    else:
        aggregate = func.json_group_array(func.json_array(*figures))
    return days_between(aggregate).scalar_subquery()
