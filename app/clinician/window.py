"""The overview's figures over each participant's recent local days, read from the per-day
rollup: entries in the last 7 days (today included), days logged in the last 14, and per
dimension the count and sum of the last 7 days and of the 28 before.

Every participant's days are their own, and a caseload spans time zones: a participant's
local today is UTC's today or the day before or after. Each rollup row is put in a span of
days back from its participant's today (the participants grouped by today, one branch of
a UNION per group, each row's span a CASE on its date alone), and the query sums per
participant and span: plain sums over a few hundred groups instead of a CASE per figure
and row."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Row, case, func, literal_column, null, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Caseload
from app.journal.days import DAYS
from app.journal.models import RATING_COLUMNS

RECENT_DAYS, LOGGED_DAYS, PRIOR_DAYS = 7, 14, 28
# Days back from the participant's today: 0-6 recent (and logged), 7-13 prior (and logged),
# 14-34 prior. Later days (an entry sent minutes early from a zone ahead) count in none.
SPANS = (("recent", RECENT_DAYS), ("fortnight", LOGGED_DAYS), ("prior", RECENT_DAYS + PRIOR_DAYS))
FIGURES = [f"{name}_{figure}" for name in RATING_COLUMNS for figure in ("count", "sum")]


Trends = dict[str, dict[str, float | None]]


@dataclass(frozen=True, slots=True)
class Window:
    entries_7d: int
    logged_days_14d: int
    # Per dimension: `mean_7d`, `mean_prior_28d` and `change`, rounded to 2 places.
    trends: Trends


def local_today(timezone: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(timezone)).date()


def _span_of_day(today: date) -> ColumnElement[Any]:
    day = DAYS.c.local_date
    spans = [(day > today - timedelta(days=back), name) for name, back in SPANS]
    return case(*spans, else_=null())  # later days are left out by the branch's bounds


def _window(spans: Mapping[str, Sequence[int]]) -> Window:
    """A participant's figures from their rows per span: (days, entries, then per dimension
    its count and sum, in `FIGURES` order). Per dimension the means of the last 7 days and of
    the 28 before, and their change, rounded to 2 places. Plain arithmetic on the row's
    positions: it runs for every participant of a caseload."""
    recent, fortnight, prior = (spans.get(name, _NO_DAYS) for name, _ in SPANS)
    trends: Trends = {}
    for position, name in _DIMENSION_POSITIONS:
        count = recent[position]
        prior_count = fortnight[position] + prior[position]
        mean = round(recent[position + 1] / count, 2) if count else None
        prior_mean = None
        if prior_count:
            prior_mean = round((fortnight[position + 1] + prior[position + 1]) / prior_count, 2)
        change = None
        if mean is not None and prior_mean is not None:
            change = round(mean - prior_mean, 2)
        trends[name] = {"mean_7d": mean, "mean_prior_28d": prior_mean, "change": change}
    return Window(recent[1], recent[0] + fortnight[0], trends)


_NO_DAYS = (0,) * (2 + len(FIGURES))
_DIMENSION_POSITIONS = [(2 + 2 * index, name) for index, name in enumerate(RATING_COLUMNS)]
EMPTY = _window({})


async def window_figures(
    session: AsyncSession, caseload: Caseload, participants: list[Row[Any]], now: datetime
) -> dict[uuid.UUID, Window]:
    """`participants` (rows with `participant_id` and `timezone`): their windows, in one
    query. A participant without entries lately has none (use `EMPTY`)."""
    todays: dict[date, list[uuid.UUID]] = {}
    for participant in participants:
        today = local_today(participant.timezone, now)
        todays.setdefault(today, []).append(participant.participant_id)
    figures = [func.sum(DAYS.c[name]) for name in ("entries", *FIGURES)]
    # One branch per local today, each over its participants' own days: the ids only in
    # the index condition. (A CASE that found each row's today by its participant's id
    # compared every row with a list of ids: 17 of an overview's 20 ms in PostgreSQL.)
    branches = []
    for today, ids in sorted(todays.items()):
        span = _span_of_day(today).label("span")
        branches.append(
            caseload.select(DAYS, DAYS.c.participant_id, span, func.count(), *figures, among=ids)
            .where(
                DAYS.c.local_date > today - timedelta(days=SPANS[-1][1]),
                DAYS.c.local_date <= today,
            )
            .group_by(DAYS.c.participant_id, literal_column("span"))  # the CASE, once
        )
    statement = branches[0] if len(branches) == 1 else union_all(*branches)
    statement = statement.execution_options(**branches[0].get_execution_options())
    spans_of: dict[uuid.UUID, dict[str, Sequence[int]]] = {}
    for participant_id, span, *figures_of_span in await session.execute(statement):
        if span is not None:
            spans_of.setdefault(participant_id, {})[span] = figures_of_span
    return {participant_id: _window(spans) for participant_id, spans in spans_of.items()}
