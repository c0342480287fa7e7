"""Backup clinicians, and their coverings: a backup reaches the participant only from an
alert's escalation until that alert is resolved (app/access decides, from these rows)."""

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.care import service as care_service
from app.care.models import CareBackup, CareCovering
from app.care.periods import close_period, list_assignment_history, start_period
from app.care.schemas import (
    BackupRead,
    CareTeam,
    CareTeamMember,
    ParticipantCare,
)
from app.care.service import check_assignable, get_open_assignment, lock_participant
from app.errors import InvalidInput, NotFound
from app.users.models import User


async def get_open_backup(session: AsyncSession, participant_id: uuid.UUID) -> CareBackup | None:
    result = await session.execute(
        select(CareBackup).where(
            CareBackup.participant_id == participant_id, CareBackup.ended_at.is_(None)
        )
    )
    return result.scalar_one_or_none()


def _read(backup: CareBackup, clinician: User) -> BackupRead:
    return BackupRead(
        participant_id=backup.participant_id,
        clinician_id=backup.clinician_id,
        clinician_display_name=clinician.display_name,
        started_at=backup.started_at,
        assigned_by=backup.assigned_by,
    )


async def _record_end(session: AsyncSession, actor: Actor, backup: CareBackup) -> None:
    await record_event(
        session,
        actor,
        AuditAction.backup_end,
        participant_id=backup.participant_id,
        subject_id=backup.clinician_id,
    )


async def set_backup(
    session: AsyncSession, actor: Actor, participant_id: uuid.UUID, clinician_id: uuid.UUID
) -> BackupRead:
    """Make an active clinician the participant's backup, ending any current backup (the
    history is kept). The backup cannot be the primary (`422`); setting the backup already
    set changes nothing and records nothing."""
    clinician = await check_assignable(session, participant_id, clinician_id)
    primary = await get_open_assignment(session, participant_id)
    if primary is not None and primary.clinician_id == clinician_id:
        raise InvalidInput(
            "body.clinician_id",
            "The backup clinician cannot be the participant's primary clinician.",
            "backup-is-primary",
        )
    current = await get_open_backup(session, participant_id)
    if current is not None and current.clinician_id == clinician_id:
        return _read(current, clinician)
    if current is not None:
        await close_period(session, current, actor)
        await _record_end(session, actor, current)
    backup = await start_period(
        session, actor, CareBackup, participant_id, clinician_id, AuditAction.backup_set
    )
    return _read(backup, clinician)


async def end_backup(session: AsyncSession, actor: Actor, participant_id: uuid.UUID) -> None:
    """The participant is left without a backup (404 when there is none); history kept."""
    await lock_participant(session, participant_id)
    current = await get_open_backup(session, participant_id)
    if current is None:
        raise NotFound("The participant has no backup clinician.")
    await close_period(session, current, actor)
    await _record_end(session, actor, current)


async def end_clinician_backups(
    session: AsyncSession, actor: Actor, clinician_id: uuid.UUID
) -> None:
    """End every open backup period of a clinician (on deactivation), each audited."""
    rows = await session.execute(
        select(CareBackup)
        .where(CareBackup.clinician_id == clinician_id, CareBackup.ended_at.is_(None))
        .order_by(CareBackup.participant_id)
        .with_for_update()
    )
    for backup in list(rows.scalars()):
        await close_period(session, backup, actor)
        await _record_end(session, actor, backup)


async def current_backup(session: AsyncSession, participant_id: uuid.UUID) -> BackupRead | None:
    backup = await get_open_backup(session, participant_id)
    if backup is None:
        return None
    return _read(backup, await session.get_one(User, backup.clinician_id))


async def care_team(session: AsyncSession, participant_id: uuid.UUID) -> CareTeam:
    """The participant's primary and backup clinicians now, by name only."""
    primary = await get_open_assignment(session, participant_id)
    backup = await get_open_backup(session, participant_id)
    names = {}
    for member in (primary, backup):
        if member is not None:
            names[member.clinician_id] = (
                await session.get_one(User, member.clinician_id)
            ).display_name
    return CareTeam(
        primary=CareTeamMember(display_name=names[primary.clinician_id]) if primary else None,
        backup=CareTeamMember(display_name=names[backup.clinician_id]) if backup else None,
    )


async def start_covering(
    session: AsyncSession, participant_id: uuid.UUID, alert_id: uuid.UUID, now: datetime
) -> None:
    """An alert of the participant was escalated: their backup covers until it is resolved."""
    session.add(CareCovering(alert_id=alert_id, participant_id=participant_id, started_at=now))
    await session.flush()


async def end_covering(session: AsyncSession, alert_id: uuid.UUID, now: datetime) -> None:
    """The escalated alert was resolved: its covering ends (others may stay open)."""
    await session.execute(
        update(CareCovering)
        .where(CareCovering.alert_id == alert_id, CareCovering.ended_at.is_(None))
        .values(ended_at=now)
    )


async def get_participant_care(session: AsyncSession, participant_id: uuid.UUID) -> ParticipantCare:
    """The participant's clinician and backup, now and before (404 for anyone else)."""
    care = await care_service.get_participant_care(session, participant_id)
    care.backup = await current_backup(session, participant_id)
    care.backup_history = await list_assignment_history(session, participant_id, CareBackup)
    return care
