"""The sweeper: the time-based half of the alert rules.

A pass escalates open alerts past their acknowledgement deadline (once each) and raises
`missed_checkins` alerts by each participant's own local day. Any number of processes may
sweep: each batch runs in a transaction that first takes the sweeper's lock (a PostgreSQL
advisory lock; on SQLite, the write lock every transaction takes), and every change is
conditional on the state it changes, so an alert is escalated or raised once however many
processes sweep, and a pass killed at any point leaves nothing half done."""

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.access import Sweep, sweep_for
from app.alerts.rule_store import PARTICIPANT_RULES, clinic_rules, merge, to_rule
from app.alerts.rules import AlertRule, MissedCheckinsRule
from app.alerts.store import ALERTS, raise_alert
from app.audit.service import AuditAction, record_event
from app.care.backups import start_covering
from app.db import dialect_name, utcnow
from app.events.service import EventType, record_alert_event
from app.journal.queries import ENTRIES, LIVE
from app.users.models import Role, User

logger = logging.getLogger("app.sweeper")
# pg_try_advisory_xact_lock key of the sweeper ("JOURNAL" in ASCII).
PASS_LOCK_KEY = 0x4A4F55524E414C
FIRST_ID = uuid.UUID(int=0)


@dataclass
class PassReport:
    escalated: int = 0
    raised: int = 0
    participants: int = 0
    skipped: bool = False  # another process held the sweeper's lock


async def take_lock(session: AsyncSession) -> bool:
    if dialect_name(session) != "postgresql":
        return True  # SQLite: the transaction began with BEGIN IMMEDIATE, the write lock
    taken = await session.execute(select(func.pg_try_advisory_xact_lock(PASS_LOCK_KEY)))
    return bool(taken.scalar())


async def escalate_overdue(session: AsyncSession, sweep: Sweep, now: datetime, batch: int) -> int:
    """Escalate up to `batch` open alerts past their deadline, each exactly once (the due
    condition is repeated in the UPDATE itself); audited by id."""
    due = and_(
        ALERTS.c.status == "open", ALERTS.c.escalated_at.is_(None), ALERTS.c.acknowledge_by <= now
    )
    keys = (ALERTS.c.participant_id, ALERTS.c.id)  # the primary key
    oldest = select(*keys).where(due).order_by(ALERTS.c.acknowledge_by).limit(batch)
    statement = (
        update(ALERTS)
        .where(tuple_(*keys).in_(oldest), due)
        .values(escalated_at=now)
        .returning(ALERTS.c.id, ALERTS.c.participant_id, ALERTS.c.severity)
    )
    rows = list(await session.execute(sweep.across(statement)))
    for alert_id, participant_id, severity in rows:
        # The backup covers from now until the alert is resolved.
        await start_covering(session, participant_id, alert_id, now)
        await record_event(
            session,
            sweep.actor,
            AuditAction.alert_escalate,
            participant_id=participant_id,
            subject_id=alert_id,
        )
        scope = sweep.scope_for(participant_id, "UTC")  # an event needs no local day
        await record_alert_event(session, scope, EventType.alert_escalated, alert_id, severity, now)
    return len(rows)


async def _participants(
    session: AsyncSession, sweep: Sweep, after: uuid.UUID, batch: int
) -> list[Any]:
    last_day = (
        select(func.max(ENTRIES.c.local_date))
        .where(ENTRIES.c.participant_id == User.id, LIVE)
        .scalar_subquery()
    )
    statement = (
        select(User.id, User.timezone, User.created_at, last_day.label("last_day"))
        .where(
            User.role == Role.participant,
            User.erased_at.is_(None),
            User.is_active.is_(True),
            User.id > after,
        )
        .order_by(User.id)
        .limit(batch)
    )
    return list(await session.execute(sweep.across(statement)))


async def _rules_of(
    session: AsyncSession, sweep: Sweep, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[MissedCheckinsRule]]:
    """Each participant's enabled missed-check-in rules (the clinic's merged with their own)."""
    own: dict[uuid.UUID, list[AlertRule]] = defaultdict(list)
    statement = select(PARTICIPANT_RULES).where(PARTICIPANT_RULES.c.participant_id.in_(ids))
    for row in await session.execute(
        sweep.across(statement.order_by(PARTICIPANT_RULES.c.position))
    ):
        own[row.participant_id].append(to_rule(row))
    clinic = await clinic_rules(session)
    # Most participants have no rules of their own: the clinic's apply as they are, merged
    # once (merging for each of 10,000 participants was most of a pass's time).
    shared = _missed_checkins(clinic, [])
    return {
        participant_id: _missed_checkins(clinic, own[participant_id])
        if participant_id in own
        else shared
        for participant_id in ids
    }


def _missed_checkins(clinic: list[AlertRule], own: list[AlertRule]) -> list[MissedCheckinsRule]:
    return [
        item.rule
        for item in merge(clinic, own)
        if isinstance(item.rule, MissedCheckinsRule) and item.rule.enabled
    ]


async def _gaps_seen(
    session: AsyncSession, sweep: Sweep, ids: list[uuid.UUID]
) -> set[tuple[uuid.UUID, str, str]]:
    """(participant, rule, first day without entries) of every missed-check-in alert already
    raised: a gap raises one alert, even after the care team resolved it."""
    statement = select(ALERTS.c.participant_id, ALERTS.c.rule_key, ALERTS.c.evidence).where(
        ALERTS.c.participant_id.in_(ids), ALERTS.c.kind == "missed_checkins"
    )
    return {
        (participant_id, rule_key, item["since"])
        for participant_id, rule_key, evidence in await session.execute(sweep.across(statement))
        for item in evidence
    }


def _summary(days: int, since: date, logged_before: bool) -> str:
    if logged_before:
        return f"No entry for {days} days: the last was on {since.isoformat()}"
    return f"No entry in the {days} days since the account was opened on {since.isoformat()}"


async def raise_missed_checkins(
    session: AsyncSession, sweep: Sweep, participants: list[Any], now: datetime
) -> int:
    """Raise a `missed_checkins` alert for each participant whose last entry is at least the
    rule's number of days ago, counted in their own time zone's days."""
    ids = [row.id for row in participants]
    rules, seen = await _rules_of(session, sweep, ids), await _gaps_seen(session, sweep, ids)
    raised = 0
    for row in participants:
        zone = ZoneInfo(row.timezone)
        since = row.last_day or row.created_at.astimezone(zone).date()
        days = (now.astimezone(zone).date() - since).days
        for rule in rules[row.id]:
            if days < rule.days or (row.id, rule.key, since.isoformat()) in seen:
                continue
            scope = sweep.scope_for(row.id, row.timezone)
            summary = _summary(days, since, row.last_day is not None)
            evidence = {"since": since.isoformat()}
            outcome = await raise_alert(
                session, scope, rule, rule.kind, summary, evidence, None, now
            )
            raised += outcome.new
    return raised


async def sweep_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    sweep: Sweep,
    batch: int,
    now: datetime | None = None,
) -> PassReport:
    """One pass: escalations, then every participant's check-ins, a batch per transaction.
    Stops early (`skipped`) when another process holds the sweeper's lock."""
    report = PassReport()
    now = now or utcnow()
    async with sessionmaker() as session, session.begin():
        if not await take_lock(session):
            return PassReport(skipped=True)
        report.escalated = await escalate_overdue(session, sweep, now, batch)
    after = FIRST_ID
    while True:
        async with sessionmaker() as session, session.begin():
            if not await take_lock(session):
                report.skipped = True
                return report
            participants = await _participants(session, sweep, after, batch)
            if participants:
                report.raised += await raise_missed_checkins(session, sweep, participants, now)
        report.participants += len(participants)
        if len(participants) < batch:
            return report
        after = participants[-1].id


async def escalate_due(session: AsyncSession, run_id: str, now: datetime) -> int:
    """Escalate what is due at `now` within the caller's transaction (the demo clinic's
    set-up, which shows an escalation at once)."""
    return await escalate_overdue(session, sweep_for(run_id), now, batch=500)
