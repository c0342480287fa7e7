"""Raising alerts, and their lifecycle: open, acknowledged, resolved. Every statement is
built from the participant's scope; the audit trail records ids, never evidence."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.alerts.models import Alert
from app.alerts.rules import RuleBase
from app.audit.service import AuditAction, record_event
from app.events.service import EventType, record_alert_event

ALERTS = cast(Table, Alert.__table__)
UNRESOLVED = ALERTS.c.status != "resolved"
# An alert left open for months still carries a bounded list (the first and the latest).
MAX_EVIDENCE = 30


@dataclass(frozen=True)
class Raised:
    alert_id: uuid.UUID
    severity: str
    new: bool


async def _unresolved(session: AsyncSession, scope: ParticipantScope, rule_key: str) -> Any:
    statement = scope.select(ALERTS).where(ALERTS.c.rule_key == rule_key, UNRESOLVED)
    return (await session.execute(statement)).first()


async def raise_alert(
    session: AsyncSession,
    scope: ParticipantScope,
    rule: RuleBase,
    kind: str,
    summary: str,
    evidence: dict[str, Any],
    trigger_id: uuid.UUID | None,
    now: datetime,
) -> Raised:
    """Open an alert for `rule`, or, while one is unresolved, add `evidence` to it (one
    unresolved alert per participant and rule; the database's unique index holds the line
    when two writes race). A new alert is audited by id."""
    current = await _unresolved(session, scope, rule.key)
    if current is None:
        alert_id = uuid.uuid4()
        values = {
            "id": alert_id,
            "rule_key": rule.key,
            "kind": kind,
            "severity": rule.severity,
            "status": "open",
            "summary": summary,
            "evidence": [evidence],
            "trigger_id": trigger_id,
            "raised_at": now,
            "acknowledge_by": now + timedelta(minutes=rule.acknowledge_within_minutes),
        }
        try:
            async with session.begin_nested():
                await session.execute(scope.upsert(session, ALERTS).values(values))
        except IntegrityError:
            current = await _unresolved(session, scope, rule.key)
        else:
            await record_event(
                session,
                scope.actor,
                AuditAction.alert_raise,
                participant_id=scope.participant_id,
                subject_id=alert_id,
            )
            await record_alert_event(
                session, scope, EventType.alert_raised, alert_id, rule.severity, now
            )
            return Raised(alert_id, rule.severity, new=True)
    if evidence not in current.evidence:
        await session.execute(
            scope.update(ALERTS)
            .where(ALERTS.c.id == current.id)
            .values(evidence=with_evidence(current.evidence, evidence), summary=summary)
        )
    return Raised(current.id, current.severity, new=False)


def _window(evidence: dict[str, Any]) -> Any:
    """What a piece of evidence is about: the day a run of days ends on, the day a
    comparison or a gap runs until or from, or the submission that fired."""
    if "days" in evidence:
        return evidence["days"][-1]["date"]
    for key in ("until", "since", "assessment_id", "report_id"):
        if key in evidence:
            return evidence[key]
    return None


def with_evidence(recorded: list[dict[str, Any]], evidence: dict[str, Any]) -> list[Any]:
    """The alert's evidence with `evidence` added: it replaces the latest item when it is
    about the same window (another entry that day changed the day's mean), so that an open
    alert holds one item per window; at most `MAX_EVIDENCE`, the first always kept."""
    kept = recorded
    if kept and _window(kept[-1]) is not None and _window(kept[-1]) == _window(evidence):
        kept = kept[:-1]
    combined = [*kept, evidence]
    if len(combined) > MAX_EVIDENCE:
        combined = [combined[0], *combined[-(MAX_EVIDENCE - 1) :]]
    return combined


async def raised_urgent_by(
    session: AsyncSession, scope: ParticipantScope, trigger_id: uuid.UUID
) -> bool:
    """Whether the submission `trigger_id` raised an urgent alert (a replay answers the same)."""
    statement = scope.select(ALERTS, ALERTS.c.id).where(
        ALERTS.c.trigger_id == trigger_id, ALERTS.c.severity == "urgent"
    )
    return (await session.execute(statement.limit(1))).first() is not None
