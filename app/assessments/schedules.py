"""The schedules at which a participant is asked for each instrument, set by their
clinician, and the clinician's audited reads of the participant's assessments."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.assessments.gate import check_gate
from app.assessments.queries import SCHEDULES
from app.assessments.reads import AssessmentFilter, list_assessments
from app.assessments.schemas import AssessmentRead, AssessmentScheduleRead, AssessmentScheduleUpdate
from app.audit.service import AuditAction, record_event
from app.db import utcnow


async def _audit(session: AsyncSession, scope: ParticipantScope, action: AuditAction) -> None:
    await record_event(session, scope.actor, action, participant_id=scope.participant_id)


async def list_schedules(
    session: AsyncSession, scope: ParticipantScope
) -> list[AssessmentScheduleRead]:
    """The participant's schedules by instrument; an audited read."""
    statement = scope.select(SCHEDULES).order_by(SCHEDULES.c.instrument)
    rows = await session.execute(statement)
    schedules = [AssessmentScheduleRead.model_validate(row._mapping) for row in rows]
    await _audit(session, scope, AuditAction.read_assessments)
    return schedules


async def set_schedule(
    session: AsyncSession,
    scope: ParticipantScope,
    instrument: str,
    update: AssessmentScheduleUpdate,
) -> AssessmentScheduleRead:
    """Ask for `instrument` every `every_days` days (replacing any schedule of it); PHQ-9 is
    `409` while the clinic cannot respond to its item 9. Audited (that it changed)."""
    await check_gate(session, scope, instrument)
    now = utcnow()
    values = {"every_days": update.every_days, "updated_at": now, "updated_by": scope.actor.user_id}
    await session.execute(
        scope.upsert(session, SCHEDULES)
        .values(instrument=instrument, created_at=now, **values)
        .on_conflict_do_update(
            index_elements=[SCHEDULES.c.participant_id, SCHEDULES.c.instrument], set_=values
        )
    )
    await _audit(session, scope, AuditAction.assessment_schedule_update)
    return AssessmentScheduleRead(
        instrument=instrument, every_days=update.every_days, updated_at=now
    )


async def delete_schedule(session: AsyncSession, scope: ParticipantScope, instrument: str) -> None:
    """Stop asking for `instrument` (nothing to stop is no error). Audited."""
    await session.execute(scope.delete(SCHEDULES).where(SCHEDULES.c.instrument == instrument))
    await _audit(session, scope, AuditAction.assessment_schedule_update)


async def list_participant_assessments(
    session: AsyncSession,
    scope: ParticipantScope,
    filters: AssessmentFilter,
    limit: int,
    cursor: str | None,
) -> tuple[list[AssessmentRead], str | None]:
    """A page of the participant's assessments for their clinician; an audited read."""
    page = await list_assessments(session, scope, filters, limit, cursor)
    await _audit(session, scope, AuditAction.read_assessments)
    return page
