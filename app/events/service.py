"""Domain events: recorded in the transaction of the change they describe."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.events.models import DomainEvent


class EventType(enum.StrEnum):
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
