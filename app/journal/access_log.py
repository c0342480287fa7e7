"""Who has read (or, for admins, changed) a participant's data: read from the audit trail."""

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.audit.service import AuditAction
from app.journal.schemas import AccessLogItem, ClinicianInfo, MyClinician
from app.pagination import bad_cursor, decode_cursor, encode_cursor
from app.users.models import User

CLINICIAN_READS = {
    AuditAction.read_overview.value: "overview",
    AuditAction.read_profile.value: "profile",
    AuditAction.read_entries.value: "entries",
    AuditAction.read_summary.value: "summary",
}
ADMINISTRATOR = "administrator"


def access_log_query(participant_id: uuid.UUID) -> Select[Any]:
    """Clinician reads of the participant's data and admin actions on their account."""
    return (
        select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.action, AuditEvent.actor_role)
        .add_columns(User.display_name)
        .join(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.participant_id == participant_id,
            AuditEvent.outcome == "success",
            (AuditEvent.action.in_(CLINICIAN_READS) & (AuditEvent.actor_role == "clinician"))
            | (AuditEvent.actor_role == "admin"),
        )
    )


def to_access_log_item(row: Any) -> AccessLogItem:
    is_admin = row.actor_role == "admin"
    return AccessLogItem(
        accessed_at=row.occurred_at,
        accessor=ADMINISTRATOR if is_admin else row.display_name,
        accessor_role="admin" if is_admin else "clinician",
        data="account" if is_admin else CLINICIAN_READS[row.action],
    )


async def list_access_log(
    session: AsyncSession, participant_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[AccessLogItem], str | None]:
    """Newest first, keyset-paginated on the audit event id."""
    statement = access_log_query(participant_id)
    if cursor is not None:
        (before,) = decode_cursor("access-log", cursor, 1)
        if not isinstance(before, int) or isinstance(before, bool):
            raise bad_cursor()
        statement = statement.where(AuditEvent.id < before)
    rows = list(await session.execute(statement.order_by(AuditEvent.id.desc()).limit(limit + 1)))
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor("access-log", [rows[-1].id])
    return [to_access_log_item(row) for row in rows], next_cursor


async def get_my_clinician(session: AsyncSession, participant_id: uuid.UUID) -> MyClinician:
    from app.care.models import CareAssignment

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
        return MyClinician(clinician=None)
    return MyClinician(clinician=ClinicianInfo(display_name=row[0], assigned_since=row[1]))
