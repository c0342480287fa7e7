"""Care assignments: which clinician looks after a participant, with the full history."""

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.care.models import CareAssignment, CareBackup, CareCovering
from app.care.periods import (
    close_period,
    list_assignment_history,
    start_period,
)
from app.care.schemas import (
    AssignmentRead,
    ClinicianInfo,
    ParticipantCare,
)
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.users.models import Role, User


async def get_open_assignment(
    session: AsyncSession, participant_id: uuid.UUID
) -> CareAssignment | None:
    """The participant's current assignment, or None when no clinician is assigned."""
    result = await session.execute(
        select(CareAssignment).where(
            CareAssignment.participant_id == participant_id,
            CareAssignment.ended_at.is_(None),
        )
    )
    return result.scalar_one_or_none()


async def get_current_clinician(
    session: AsyncSession, participant_id: uuid.UUID
) -> ClinicianInfo | None:
    """The clinician assigned to the participant now (name and since when), or None."""
    row = (
        await session.execute(
            select(User.display_name, CareAssignment.started_at)
            .join(CareAssignment, CareAssignment.clinician_id == User.id)
            .where(
                CareAssignment.participant_id == participant_id,
                CareAssignment.ended_at.is_(None),
            )
        )
    ).first()
    if row is None:
        return None
    return ClinicianInfo(display_name=row[0], assigned_since=row[1])


async def lock_participant(session: AsyncSession, participant_id: uuid.UUID) -> User:
    """The participant's users row, locked until the transaction ends, so that concurrent
    changes to one participant's care run one after the other (PostgreSQL `FOR UPDATE`;
    SQLite already holds the database write lock from `BEGIN IMMEDIATE`)."""
    participant = (
        await session.execute(
            select(User)
            .where(
                User.id == participant_id,
                User.role == Role.participant,
                User.erased_at.is_(None),
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if participant is None:
        raise NotFound("No such participant.")
    return participant


async def _active_clinician(session: AsyncSession, clinician_id: uuid.UUID) -> User:
    # FOR SHARE: a concurrent deactivation of this clinician waits for us (or we for it).
    clinician = (
        await session.execute(
            select(User)
            .where(
                User.id == clinician_id,
                User.role == Role.clinician,
                User.is_active.is_(True),
                User.erased_at.is_(None),
            )
            .with_for_update(read=True)
        )
    ).scalar_one_or_none()
    if clinician is None:
        raise InvalidInput(
            "body.clinician_id", "Not an active clinician account.", "not-an-active-clinician"
        )
    return clinician


async def check_assignable(
    session: AsyncSession, participant_id: uuid.UUID, clinician_id: uuid.UUID
) -> User:
    """The clinician, once both accounts pass the checks `assign_clinician` makes (404 for
    the participant, 422 for the clinician), with the participant's row locked: for an
    assignment that must first wait for a second admin."""
    await lock_participant(session, participant_id)
    return await _active_clinician(session, clinician_id)


def _read(assignment: CareAssignment, clinician: User) -> AssignmentRead:
    return AssignmentRead(
        participant_id=assignment.participant_id,
        clinician_id=assignment.clinician_id,
        clinician_display_name=clinician.display_name,
        started_at=assignment.started_at,
        assigned_by=assignment.assigned_by,
    )


async def assign_clinician(
    session: AsyncSession, actor: Actor, participant_id: uuid.UUID, clinician_id: uuid.UUID
) -> AssignmentRead:
    """Put the participant in the care of an active clinician, ending any current assignment.

    Assigning the clinician already assigned changes nothing and records nothing. The
    previous clinician loses access with this transaction's commit."""
    await lock_participant(session, participant_id)
    clinician = await _active_clinician(session, clinician_id)
    current = await get_open_assignment(session, participant_id)
    if current is not None and current.clinician_id == clinician_id:
        return _read(current, clinician)
    if current is not None:
        await close_period(session, current, actor)
    await _end_backup_becoming_primary(session, actor, participant_id, clinician_id)
    assignment = await start_period(
        session, actor, CareAssignment, participant_id, clinician_id, AuditAction.assignment_set
    )
    return _read(assignment, clinician)


async def _end_backup_becoming_primary(
    session: AsyncSession, actor: Actor, participant_id: uuid.UUID, clinician_id: uuid.UUID
) -> None:
    """The backup who becomes the primary is no longer the backup (one person, one role)."""
    ended = await session.execute(
        update(CareBackup)
        .where(
            CareBackup.participant_id == participant_id,
            CareBackup.clinician_id == clinician_id,
            CareBackup.ended_at.is_(None),
        )
        .values(ended_at=utcnow(), ended_by=actor.user_id)
        .returning(CareBackup.id)
    )
    if ended.first() is not None:
        await record_event(
            session,
            actor,
            AuditAction.backup_end,
            participant_id=participant_id,
            subject_id=clinician_id,
        )


async def end_assignment(
    session: AsyncSession, actor: Actor, participant_id: uuid.UUID
) -> CareAssignment:
    """End the participant's current assignment (404 when there is none); history is kept."""
    await lock_participant(session, participant_id)
    current = await get_open_assignment(session, participant_id)
    if current is None:
        raise NotFound("The participant has no assigned clinician.")
    await close_period(session, current, actor)
    await record_event(
        session,
        actor,
        AuditAction.assignment_end,
        participant_id=participant_id,
        subject_id=current.clinician_id,
    )
    return current


async def end_clinician_assignments(
    session: AsyncSession, actor: Actor, clinician_id: uuid.UUID
) -> int:
    """End every open assignment of a clinician (on deactivation), each audited as an
    `assignment.end`, history kept; returns how many. Participants are locked one at a time
    in id order, as `assign_clinician` locks them, so a concurrent reassignment waits."""
    participant_ids = (
        await session.execute(
            select(CareAssignment.participant_id)
            .where(CareAssignment.clinician_id == clinician_id, CareAssignment.ended_at.is_(None))
            .order_by(CareAssignment.participant_id)
        )
    ).scalars()
    ended = 0
    for participant_id in list(participant_ids):
        await lock_participant(session, participant_id)
        current = await get_open_assignment(session, participant_id)
        if current is None or current.clinician_id != clinician_id:
            continue  # reassigned while we waited for the lock
        await close_period(session, current, actor)
        await record_event(
            session,
            actor,
            AuditAction.assignment_end,
            participant_id=participant_id,
            subject_id=clinician_id,
        )
        ended += 1
    return ended


async def end_care_of_erased(
    session: AsyncSession, participant_id: uuid.UUID, now: datetime
) -> None:
    """An erased participant's open assignment, backup and coverings end, by themself
    (history kept)."""
    for model in (CareAssignment, CareBackup):
        await session.execute(
            update(model)
            .where(model.participant_id == participant_id, model.ended_at.is_(None))
            .values(ended_at=now, ended_by=participant_id)
        )
    await session.execute(
        update(CareCovering)
        .where(CareCovering.participant_id == participant_id, CareCovering.ended_at.is_(None))
        .values(ended_at=now)
    )


async def get_participant_care(session: AsyncSession, participant_id: uuid.UUID) -> ParticipantCare:
    """The participant's current clinician and assignment history (404 for anyone else)."""
    participant = await session.get(User, participant_id)
    if participant is None or participant.role is not Role.participant or participant.erased_at:
        raise NotFound("No such participant.")
    history = await list_assignment_history(session, participant_id)
    current = await get_open_assignment(session, participant_id)
    current_read = None
    if current is not None:
        clinician = await session.get_one(User, current.clinician_id)
        current_read = _read(current, clinician)
    return ParticipantCare(participant_id=participant_id, current=current_read, history=history)


async def caseloads(session: AsyncSession, clinician_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Open assignments per clinician, for a page of accounts in one query."""
    if not clinician_ids:
        return {}
    rows = await session.execute(
        select(CareAssignment.clinician_id, func.count())
        .where(CareAssignment.clinician_id.in_(clinician_ids), CareAssignment.ended_at.is_(None))
        .group_by(CareAssignment.clinician_id)
    )
    return {clinician_id: count for clinician_id, count in rows}


def without_clinician() -> ColumnElement[bool]:
    """Participants with no open assignment (a condition on `User`)."""
    open_assignment = select(CareAssignment.id).where(
        CareAssignment.participant_id == User.id, CareAssignment.ended_at.is_(None)
    )
    return (User.role == Role.participant) & ~open_assignment.exists()
