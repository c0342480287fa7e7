"""The care team's alert inbox, acknowledging and resolving; the admin's overdue list."""

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import COVERING, Caseload, Oversight, ParticipantScope, clinician_scope
from app.alerts.schemas import AlertRead, AlertStatus, OverdueAlert
from app.alerts.store import ALERTS, UNRESOLVED
from app.audit.service import AuditAction, record_event, record_reads
from app.auth.identity import Identity
from app.care.backups import end_covering
from app.care.models import CareAssignment, CareBackup
from app.db import utcnow
from app.errors import NotFound
from app.events.service import EventType, record_alert_event
from app.pagination import decode_cursor, encode_cursor, fetch_page
from app.users.models import User

_CURSOR_KIND = "alerts"
URGENT_FIRST = case((ALERTS.c.severity == "urgent", 0), else_=1)
OVERDUE_LIMIT = 500
# What a covering backup sees of a participant's alerts: the escalated ones, until resolved.
COVERED = and_(ALERTS.c.escalated_at.is_not(None), UNRESOLVED)


def _after(cursor: str) -> ColumnElement[bool]:
    rank, raised_at, alert_id = decode_cursor(_CURSOR_KIND, cursor, int, datetime, uuid.UUID)
    later = or_(
        ALERTS.c.raised_at > raised_at,
        and_(ALERTS.c.raised_at == raised_at, ALERTS.c.id > alert_id),
    )
    return or_(rank < URGENT_FIRST, and_(rank == URGENT_FIRST, later))


def _cursor(row: Any) -> str:
    rank = 0 if row.severity == "urgent" else 1
    return encode_cursor(_CURSOR_KIND, [rank, row.raised_at.isoformat(), str(row.id)])


async def list_inbox(
    session: AsyncSession,
    caseload: Caseload,
    *,
    status: AlertStatus | None,
    severity: str | None,
    participant_id: uuid.UUID | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[AlertRead], str | None]:
    """Alerts of the clinician's participants, urgent first, then oldest first, and the
    escalated unresolved alerts of the participants they cover as backup. Reading them is
    a read of each participant's data: audited."""
    statement = caseload.in_care(ALERTS, while_covering=COVERED).order_by(
        URGENT_FIRST, ALERTS.c.raised_at, ALERTS.c.id
    )
    if status is not None:
        statement = statement.where(ALERTS.c.status == status)
    if severity is not None:
        statement = statement.where(ALERTS.c.severity == severity)
    if participant_id is not None:
        statement = statement.where(ALERTS.c.participant_id == participant_id)
    if cursor is not None:
        statement = statement.where(_after(cursor))
    rows, next_cursor = await fetch_page(session, statement, limit, _cursor)
    participants = list(dict.fromkeys(row.participant_id for row in rows))
    await _record_inbox_reads(session, caseload, participants)
    return [AlertRead.model_validate(row._mapping) for row in rows], next_cursor


async def _record_inbox_reads(
    session: AsyncSession, caseload: Caseload, participants: list[uuid.UUID]
) -> None:
    """A read of each participant's alerts: the primary's as such, a covering backup's as
    covering reads."""
    if not participants:
        return
    statement = caseload.participants(User.id).where(User.id.in_(participants))
    assigned = set((await session.execute(statement)).scalars())
    covered = [p for p in participants if p not in assigned]
    await record_reads(
        session, caseload.actor, AuditAction.read_alerts, [p for p in participants if p in assigned]
    )
    if covered:
        actor = replace(caseload.actor, role=COVERING)
        await record_reads(session, actor, AuditAction.read_alerts, covered)


async def _alert_in_care(
    session: AsyncSession, identity: Identity, caseload: Caseload, alert_id: uuid.UUID
) -> tuple[ParticipantScope, Any]:
    """The alert and its participant's scope, if the participant is in the caller's care
    now; 404 otherwise, as for an unknown id."""
    statement = caseload.in_care(ALERTS, while_covering=COVERED).where(ALERTS.c.id == alert_id)
    row = (await session.execute(statement)).first()
    if row is None:
        raise NotFound("No such alert.")
    return await clinician_scope(session, identity, row.participant_id), row


async def _reread(session: AsyncSession, scope: ParticipantScope, alert_id: uuid.UUID) -> AlertRead:
    row = (await session.execute(scope.select(ALERTS).where(ALERTS.c.id == alert_id))).one()
    return AlertRead.model_validate(row._mapping)


async def acknowledge(
    session: AsyncSession, identity: Identity, caseload: Caseload, alert_id: uuid.UUID
) -> AlertRead:
    """Mark an open alert acknowledged (it then does not escalate); acknowledging again, or
    an alert already resolved, changes nothing."""
    scope, row = await _alert_in_care(session, identity, caseload, alert_id)
    if row.status == "open":
        now = utcnow()
        await session.execute(
            scope.update(ALERTS)
            .where(ALERTS.c.id == alert_id, ALERTS.c.status == "open")
            .values(status="acknowledged", acknowledged_at=now, acknowledged_by=identity.user.id)
        )
        await record_alert_event(
            session, scope, EventType.alert_acknowledged, alert_id, row.severity, now
        )
        await record_event(
            session,
            scope.actor,
            AuditAction.alert_acknowledge,
            participant_id=scope.participant_id,
            subject_id=alert_id,
        )
    return await _reread(session, scope, alert_id)


async def resolve(
    session: AsyncSession,
    identity: Identity,
    caseload: Caseload,
    alert_id: uuid.UUID,
    note: str,
) -> AlertRead:
    """Resolve an alert with a note (acknowledging it if nobody had). Resolving an alert
    already resolved is idempotent: `200` with the alert as first resolved (its note kept).
    The rule may fire again afterwards: that opens a new alert."""
    scope, row = await _alert_in_care(session, identity, caseload, alert_id)
    if row.status != "resolved":
        now = utcnow()
        await session.execute(
            scope.update(ALERTS)
            .where(ALERTS.c.id == alert_id, UNRESOLVED)
            .values(
                status="resolved",
                resolved_at=now,
                resolved_by=identity.user.id,
                resolution_note=note,
                acknowledged_at=row.acknowledged_at or now,
                acknowledged_by=row.acknowledged_by or identity.user.id,
            )
        )
        await end_covering(session, alert_id, now)
        await record_alert_event(
            session, scope, EventType.alert_resolved, alert_id, row.severity, now
        )
        await record_event(
            session,
            scope.actor,
            AuditAction.alert_resolve,
            participant_id=scope.participant_id,
            subject_id=alert_id,
        )
    return await _reread(session, scope, alert_id)


async def overdue_alerts(session: AsyncSession, oversight: Oversight) -> list[OverdueAlert]:
    """Alerts nobody acknowledged in time (escalated, or open past their deadline), with
    the participant's name and primary clinician: nothing of what the alert says."""
    primary, backup = aliased_care(CareAssignment, "primary"), aliased_care(CareBackup, "backup")
    statement = (
        oversight.select(
            ALERTS,
            ALERTS.c.id.label("alert_id"),
            ALERTS.c.participant_id,
            ALERTS.c.severity,
            ALERTS.c.raised_at,
            ALERTS.c.acknowledge_by,
            ALERTS.c.escalated_at,
        )
        .add_columns(
            User.display_name.label("participant_display_name"),
            primary.c.display_name.label("primary_clinician"),
            backup.c.display_name.label("backup_clinician"),
        )
        .join(User, User.id == ALERTS.c.participant_id)
        .outerjoin(primary, primary.c.participant_id == ALERTS.c.participant_id)
        .outerjoin(backup, backup.c.participant_id == ALERTS.c.participant_id)
        .where(
            ALERTS.c.status == "open",
            or_(ALERTS.c.escalated_at.is_not(None), ALERTS.c.acknowledge_by <= utcnow()),
        )
        .order_by(ALERTS.c.acknowledge_by, ALERTS.c.id)
        .limit(OVERDUE_LIMIT)
    )
    return [OverdueAlert.model_validate(row._mapping) for row in await session.execute(statement)]


def aliased_care(model: type[CareAssignment] | type[CareBackup], name: str) -> Any:
    """Each participant's primary (or backup) clinician now, by display name, as a subquery."""
    clinician = select(model.participant_id, User.display_name.label("display_name")).join(
        User, User.id == model.clinician_id
    )
    return clinician.where(model.ended_at.is_(None)).subquery(name)
