"""The alert rules that look at entries, evaluated in the transaction of the entry write
that may fire them (create, edit, delete): when the answer arrives, the alert exists.

Descriptive only: a summary states what was reported ("Anxiety 8 or higher on each of 3
consecutive days: 9, 8.5, 9"); it never advises."""

import functools
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Text, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.alerts.rule_store import enabled_from_rows, rules_with
from app.alerts.rules import BaselineChangeRule, RatingThresholdRule
from app.alerts.store import Raised, raise_alert
from app.db import dialect_name
from app.journal.days import days_as_json
from app.journal.models import RATING_COLUMNS

RECENT_DAYS, PRIOR_DAYS = 7, 28
COMPARISON = {"gte": ("or higher", float.__ge__), "lte": ("or lower", float.__le__)}
EntryRule = RatingThresholdRule | BaselineChangeRule


@dataclass(slots=True)
class DayTotals:
    """One local day of one dimension: how many entries rated it, and their sum."""

    count: int
    total: float

    @property
    def mean(self) -> float:
        return round(self.total / self.count, 2)


Days = dict[str, dict[date, DayTotals]]  # by dimension, by local day


def _local_today(scope: ParticipantScope, now: datetime) -> date:
    return now.astimezone(ZoneInfo(scope.timezone)).date()


# Enough days for any entry rule: a 7-day mean against the 28 days before; a run of up to
# 14 consecutive days looked for within twice its span.
LOOKBACK_DAYS = RECENT_DAYS + PRIOR_DAYS - 1


@functools.cache
def _rules_and_days(dialect: str) -> Select[Any]:
    """The participant's rules (the rows `enabled_rules` reads), each with the per-day
    rollup of the last `LOOKBACK_DAYS` as JSON beside it: the write path reads both in one
    round trip. Without any rule there is no row, and the days are not read."""
    return rules_with(type_coerce(days_as_json(dialect), Text).label("days"))


def _days_from(days_json: str | None, dimensions: set[str]) -> Days:
    """`days_as_json`'s array as the rules read it: per dimension, per day, count and sum."""
    days: Days = {dimension: {} for dimension in dimensions}
    for local_date, *sums in json.loads(days_json or "[]"):
        day = date.fromisoformat(local_date)
        for index, dimension in enumerate(RATING_COLUMNS):
            count = sums[2 * index]
            if count and dimension in days:
                days[dimension][day] = DayTotals(count, float(sums[2 * index + 1]))
    return days


def _rating_threshold(
    rule: RatingThresholdRule, days: dict[date, DayTotals], today: date
) -> tuple[str, dict[str, Any]] | None:
    """Fires when each of the `consecutive_days` local days ending with the latest day the
    participant logged (up to today, within twice the rule's span) has a daily mean
    meeting it."""
    span = timedelta(days=rule.consecutive_days - 1)
    means = {day: totals.mean for day, totals in days.items() if day >= today - span * 2}
    if not means:
        return None
    last = max(means)
    chosen = [last - timedelta(days=back) for back in range(rule.consecutive_days - 1, -1, -1)]
    words, meets = COMPARISON[rule.op]
    if not all(day in means and meets(means[day], float(rule.value)) for day in chosen):
        return None
    shown = ", ".join(f"{means[day]:g}" for day in chosen)
    summary = (
        f"{rule.dimension.capitalize()} {rule.value} {words} on each of "
        f"{rule.consecutive_days} consecutive days: {shown}"
    )
    evidence = {"days": [{"date": day.isoformat(), "mean": means[day]} for day in chosen]}
    return summary, evidence


def _baseline_change(
    rule: BaselineChangeRule, days: dict[date, DayTotals], today: date
) -> tuple[str, dict[str, Any]] | None:
    """Fires when the 7-day mean differs from the 28 days before by at least `change`."""
    recent_start = today - timedelta(days=RECENT_DAYS - 1)
    prior_start = recent_start - timedelta(days=PRIOR_DAYS)
    recent_days = [totals for day, totals in days.items() if day >= recent_start]
    prior_days = [totals for day, totals in days.items() if prior_start <= day < recent_start]
    recent_n = sum(totals.count for totals in recent_days)
    prior_n = sum(totals.count for totals in prior_days)
    if recent_n < rule.min_entries or prior_n < rule.min_entries:
        return None
    recent = round(sum(totals.total for totals in recent_days) / recent_n, 2)
    prior = round(sum(totals.total for totals in prior_days) / prior_n, 2)
    difference = round(recent - prior, 2)
    if (rule.change < 0 and difference > rule.change) or (
        rule.change > 0 and difference < rule.change
    ):
        return None
    direction = "below" if difference < 0 else "above"
    summary = (
        f"{rule.dimension.capitalize()} 7-day mean {recent:g}, {abs(difference):g} {direction} "
        f"the mean of the 28 days before ({prior:g})"
    )
    evidence = {
        "until": today.isoformat(),
        "mean_7d": recent,
        "entries_7d": recent_n,
        "mean_prior_28d": prior,
        "entries_prior_28d": prior_n,
    }
    return summary, evidence


async def evaluate_entry_rules(
    session: AsyncSession, scope: ParticipantScope, trigger_id: uuid.UUID, now: datetime
) -> list[Raised]:
    """Evaluate the participant's enabled rating and baseline rules after an entry write."""
    today = _local_today(scope, now)
    since = today - timedelta(days=LOOKBACK_DAYS)
    statement = _rules_and_days(dialect_name(session))
    result = await session.execute(statement, scope.bind(since=since, until=today))
    rows = [tuple(row) for row in result]
    rules = [
        rule
        for rule in enabled_from_rows(tuple(row[:-1] for row in rows))
        if isinstance(rule, RatingThresholdRule | BaselineChangeRule)
    ]
    if not rules:
        return []
    raised = []
    days = _days_from(rows[0][-1], {rule.dimension for rule in rules})
    for rule in rules:
        if isinstance(rule, RatingThresholdRule):
            fired = _rating_threshold(rule, days[rule.dimension], today)
        else:
            fired = _baseline_change(rule, days[rule.dimension], today)
        if fired is not None:
            summary, evidence = fired
            raised.append(
                await raise_alert(
                    session, scope, rule, rule.kind, summary, evidence, trigger_id, now
                )
            )
    return raised
