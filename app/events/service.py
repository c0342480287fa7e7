"""Domain events: recorded in the transaction of the change they describe (the outbox
webhooks are to be delivered from: no change without its event, no event without its
change)."""

import enum
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from app.access import ParticipantScope
from app.access.scope import scoped_insert_template
from app.events.models import DomainEvent


class EventType(enum.StrEnum):
    entry_created = "entry.created"
    entry_updated = "entry.updated"
    entry_deleted = "entry.deleted"
    assessment_completed = "assessment.completed"
    consent_granted = "consent.granted"
    consent_withdrawn = "consent.withdrawn"
    alert_raised = "alert.raised"
    alert_acknowledged = "alert.acknowledged"
    alert_escalated = "alert.escalated"
    alert_resolved = "alert.resolved"


async def record_alert_event(
    session: AsyncSession,
    scope: ParticipantScope,
    event_type: EventType,
    alert_id: uuid.UUID,
    severity: str,
    occurred_at: datetime,
) -> None:
    """An alert's transition, as a publisher may send it: the alert's id, severity and new
    state, never its rule, summary or evidence (a receiver reads those through the API,
    within its own access)."""
    data: dict[str, Any] = {
        "alert_id": str(alert_id),
        "participant_id": str(scope.participant_id),
        "severity": severity,
        "status": event_type.value.removeprefix("alert."),
        "occurred_at": occurred_at.isoformat(),
    }
    values = {
        "id": uuid.uuid4(),
        "type": event_type.value,
        "subject_id": alert_id,
        "data": data,
        "occurred_at": occurred_at,
    }
    await session.execute(scope.upsert(session, DomainEvent).values(values))


# The id each kind of thin event names its subject by.
_SUBJECT_KEYS = {
    EventType.entry_created: "entry_id",
    EventType.entry_updated: "entry_id",
    EventType.entry_deleted: "entry_id",
    EventType.assessment_completed: "assessment_id",
    EventType.consent_granted: "integration_id",
    EventType.consent_withdrawn: "integration_id",
}


def thin_event(
    scope: ParticipantScope, event_type: EventType, subject_id: uuid.UUID, occurred_at: datetime
) -> dict[str, Any]:
    """The row of a thin event: that something happened to one of the participant's
    records, by ids alone (the participant's, the record's) and when; never a rating, note
    or answer. A receiver reads the record through the API, within its own access."""
    data: dict[str, Any] = {
        _SUBJECT_KEYS[event_type]: str(subject_id),
        "participant_id": str(scope.participant_id),
        "occurred_at": occurred_at.isoformat(),
    }
    return {
        "id": uuid.uuid4(),
        "type": event_type.value,
        "subject_id": subject_id,
        "data": data,
        "occurred_at": occurred_at,
    }


def thin_event_from(
    event_type: EventType,
    participant_id: ColumnElement[Any],
    subject_id: ColumnElement[Any],
    occurred_at: ColumnElement[Any],
) -> Insert:
    """A thin event inserted from a SELECT of `participant_id` and `subject_id` (a CTE's
    columns): for PostgreSQL, whose writable CTEs let a create's statement record its event
    too. Binds `event_id` and `event_data` (from `thin_event`)."""
    table = cast(Table, DomainEvent.__table__)
    figures = [
        participant_id,
        bindparam("event_id", type_=table.c.id.type),
        literal(event_type.value),
        subject_id,
        bindparam("event_data", type_=table.c.data.type),
        occurred_at,
    ]
    columns = ["participant_id", "id", "type", "subject_id", "data", "occurred_at"]
    return scoped_insert_template("postgresql", table).from_select(columns, select(*figures))


async def record_thin_event(
    session: AsyncSession,
    scope: ParticipantScope,
    event_type: EventType,
    subject_id: uuid.UUID,
    occurred_at: datetime,
) -> None:
    """Record a `thin_event` for webhooks to send."""
    await record_event_row(session, scope, thin_event(scope, event_type, subject_id, occurred_at))


async def record_event_row(
    session: AsyncSession, scope: ParticipantScope, event: dict[str, Any]
) -> None:
    await session.execute(scope.upsert(session, DomainEvent).values(event))


async def erase_events(session: AsyncSession, scope: ParticipantScope) -> None:
    """An erased participant's events (ids only) go too: nothing more is sent about them."""
    await session.execute(scope.delete(DomainEvent))
