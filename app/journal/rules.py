"""The alert rules that look at entries, evaluated in the transaction of the entry write
that may fire them (create, edit, delete): when the answer arrives, the alert exists.

Descriptive only: a summary states what was reported ("Anxiety 8 or higher on each of 3
consecutive days: 9, 8.5, 9"); it never advises."""

import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.alerts.rule_store import enabled_rules
from app.alerts.rules import BaselineChangeRule, RatingThresholdRule
from app.alerts.store import Raised, raise_alert
from app.journal.queries import ENTRIES, live_entries

RECENT_DAYS, PRIOR_DAYS = 7, 28
COMPARISON = {"gte": ("or higher", float.__ge__), "lte": ("or lower", float.__le__)}


def _local_today(scope: ParticipantScope, now: datetime) -> date:
    return now.astimezone(ZoneInfo(scope.timezone)).date()


async def _daily_means(
    session: AsyncSession, scope: ParticipantScope, dimension: str, since: date, until: date
) -> dict[date, float]:
    column = ENTRIES.c[dimension]
    statement = (
        live_entries(scope, ENTRIES.c.local_date, func.avg(column))
        .where(
            ENTRIES.c.local_date >= since,
            ENTRIES.c.local_date <= until,
            column.is_not(None),
        )
        .group_by(ENTRIES.c.local_date)
    )
    return {day: round(float(mean), 2) for day, mean in await session.execute(statement)}


async def _rating_threshold(
    session: AsyncSession, scope: ParticipantScope, rule: RatingThresholdRule, today: date
) -> tuple[str, dict[str, Any]] | None:
    """Fires when each of the `consecutive_days` local days ending with the latest day the
    participant logged (up to today, within the rule's span) has a daily mean meeting it."""
    span = timedelta(days=rule.consecutive_days - 1)
    means = await _daily_means(session, scope, rule.dimension, today - span * 2, today)
    if not means:
        return None
    last = max(means)
    days = [last - timedelta(days=back) for back in range(rule.consecutive_days - 1, -1, -1)]
    words, meets = COMPARISON[rule.op]
    if not all(day in means and meets(means[day], float(rule.value)) for day in days):
        return None
    values = [means[day] for day in days]
    shown = ", ".join(f"{value:g}" for value in values)
    summary = (
        f"{rule.dimension.capitalize()} {rule.value} {words} on each of "
        f"{rule.consecutive_days} consecutive days: {shown}"
    )
    evidence = {"days": [{"date": day.isoformat(), "mean": means[day]} for day in days]}
    return summary, evidence


async def _baseline_change(
    session: AsyncSession, scope: ParticipantScope, rule: BaselineChangeRule, today: date
) -> tuple[str, dict[str, Any]] | None:
    """Fires when the 7-day mean differs from the 28 days before by at least `change`."""
    column = ENTRIES.c[rule.dimension]
    recent_start = today - timedelta(days=RECENT_DAYS - 1)
    prior_start = recent_start - timedelta(days=PRIOR_DAYS)
    is_recent = ENTRIES.c.local_date >= recent_start
    statement = live_entries(
        scope,
        func.count(column).filter(is_recent),
        func.avg(column).filter(is_recent),
        func.count(column).filter(~is_recent),
        func.avg(column).filter(~is_recent),
    ).where(ENTRIES.c.local_date >= prior_start, ENTRIES.c.local_date <= today)
    recent_n, recent, prior_n, prior = (await session.execute(statement)).one()
    if recent_n < rule.min_entries or prior_n < rule.min_entries:
        return None
    recent, prior = round(float(recent), 2), round(float(prior), 2)
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
    raised = []
    today = _local_today(scope, now)
    for rule in await enabled_rules(session, scope):
        if isinstance(rule, RatingThresholdRule):
            fired = await _rating_threshold(session, scope, rule, today)
        elif isinstance(rule, BaselineChangeRule):
            fired = await _baseline_change(session, scope, rule, today)
        else:
            continue
        if fired is not None:
            summary, evidence = fired
            raised.append(
                await raise_alert(
                    session, scope, rule, rule.kind, summary, evidence, trigger_id, now
                )
            )
    return raised
