"""The alert rules that look at entries, evaluated in the transaction of the entry write
that may fire them (create, edit, delete): when the answer arrives, the alert exists.

Descriptive only: a summary states what was reported ("Anxiety 8 or higher on each of 3
consecutive days: 9, 8.5, 9"); it never advises."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.alerts.rule_store import enabled_rules
from app.alerts.rules import BaselineChangeRule, RatingThresholdRule
from app.alerts.store import Raised, raise_alert
from app.journal.days import DAYS, days_between

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


def _lookback(rules: list[EntryRule]) -> int:
    spans = [
        2 * (rule.consecutive_days - 1)
        if isinstance(rule, RatingThresholdRule)
        else RECENT_DAYS + PRIOR_DAYS - 1
        for rule in rules
    ]
    return max(spans)


@lru_cache(maxsize=32)
def _day_totals_statement(dimensions: tuple[str, ...]) -> Select[Any]:
    """Per local day between two days, the count and sum of each of `dimensions`, for
    whichever participant a scope binds, from the per-day rollup: built once per set of
    dimensions the rules look at (the write path runs it on every entry)."""
    figures = (DAYS.c[f"{d}_{figure}"] for d in dimensions for figure in ("count", "sum"))
    return days_between(*figures)


async def _day_totals(
    session: AsyncSession, scope: ParticipantScope, rules: list[EntryRule], today: date
) -> Days:
    """Every rule's figures from one statement: per local day, the count and sum of each
    dimension a rule looks at, over the longest span any rule needs (one rollup row a day,
    however many entries it has)."""
    dimensions = tuple(sorted({rule.dimension for rule in rules}))
    since = today - timedelta(days=_lookback(rules))
    statement = _day_totals_statement(dimensions)
    rows = await session.execute(statement, scope.bind(since=since, until=today))
    days: Days = {dimension: {} for dimension in dimensions}
    for row in rows:
        for index, dimension in enumerate(dimensions):
            count, total = row[1 + 2 * index], row[2 + 2 * index]
            if count:
                days[dimension][row[0]] = DayTotals(count, float(total))
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
    rules = [
        rule
        for rule in await enabled_rules(session, scope)
        if isinstance(rule, RatingThresholdRule | BaselineChangeRule)
    ]
    if not rules:
        return []
    raised = []
    today = _local_today(scope, now)
    days = await _day_totals(session, scope, rules, today)
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
