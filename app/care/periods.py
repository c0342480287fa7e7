"""Care periods (assignments, backup periods): opened, closed and listed the same way."""

import uuid
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.care.models import CareAssignment, CareBackup, CarePeriod
from app.care.schemas import AssignmentHistoryItem
from app.db import utcnow
from app.errors import Conflict
from app.users.models import User

PeriodT = TypeVar("PeriodT", CareAssignment, CareBackup)


class AssignmentConflict(Conflict):
    code = "assignment-conflict"
    example = "The participant's assignment changed at the same time; try again."


async def start_period(
    session: AsyncSession,
    actor: Actor,
    model: type[PeriodT],
    participant_id: uuid.UUID,
    clinician_id: uuid.UUID,
    action: AuditAction,
) -> PeriodT:
    """Open a care period of `model` (an assignment; a backup) once the current one is
    closed, audited as `action`."""
    period = model(
        id=uuid.uuid4(),
        participant_id=participant_id,
        clinician_id=clinician_id,
        started_at=utcnow(),
        assigned_by=actor.user_id,
    )
    session.add(period)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        # Only reachable if the row lock was bypassed; the partial unique index holds the line.
        raise AssignmentConflict(
            "The participant's care team changed at the same time; try again."
        ) from exc
    await record_event(
        session, actor, action, participant_id=participant_id, subject_id=clinician_id
    )
    return period


async def close_period(session: AsyncSession, period: CarePeriod, actor: Actor) -> None:
    period.ended_at = utcnow()
    period.ended_by = actor.user_id
    # Flushed on its own, before any new row: the partial unique index must see it closed.
    await session.flush()


async def list_assignment_history(
    session: AsyncSession, participant_id: uuid.UUID, model: type[CarePeriod] = CareAssignment
) -> list[AssignmentHistoryItem]:
    """Every period of the participant's care of this kind (assignments; backups), oldest
    first, the open one (if any) last."""
    rows = await session.execute(
        select(model, User.display_name)
        .join(User, User.id == model.clinician_id)
        .where(model.participant_id == participant_id)
        .order_by(model.started_at, model.ended_at.is_(None), model.id)
    )
    return [
        AssignmentHistoryItem(
            clinician_id=period.clinician_id,
            clinician_display_name=display_name,
            started_at=period.started_at,
            ended_at=period.ended_at,
            assigned_by=period.assigned_by,
            ended_by=period.ended_by,
        )
        for period, display_name in rows
    ]
