"""Who has read (or, for admins, changed) a participant's data: read from the audit trail.

Each reader is shown by the display name recorded with the event (as it was then), so that a
clinician who renames themselves later does not rewrite who read the data. Security notices
(app/audit/notices.py) are marked on the items they come from."""

import uuid
from typing import Any

from sqlalchemy import Select, and_, case, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditEvent
from app.audit.notices import KINDS, account_was_in_use
from app.audit.queries import decode_event_cursor, event_cursor
from app.audit.schemas import AccessLogItem
from app.audit.service import AuditAction
from app.pagination import fetch_page
from app.users.models import User

CLINICIAN_READS = {
    AuditAction.read_overview.value: "overview",
    AuditAction.read_profile.value: "profile",
    AuditAction.read_entries.value: "entries",
    AuditAction.read_summary.value: "summary",
    AuditAction.read_notes.value: "notes",
    AuditAction.read_alerts.value: "alerts",
    AuditAction.read_assessments.value: "assessments",
    AuditAction.read_experience_reports.value: "experience_reports",
}
# What an integration the participant consented to read (recorded under its name).
INTEGRATION_READS = {
    AuditAction.integration_read_participants.value: "profile",
    AuditAction.integration_read_entries.value: "entries",
    AuditAction.integration_read_assessments.value: "assessments",
    AuditAction.integration_read_alerts.value: "alerts",
}
INTEGRATION_ROLE = "integration"
# Names the log shows in place of an account's own; no display name may look like them
# (app/users/names.py).
ADMINISTRATOR = "administrator"
# The role a backup clinician's reads are recorded under while covering an escalation.
COVERING_ROLE = "covering"
RECOVERY_CODE = "recovery code"
_CODE_ISSUE = AuditAction.activation_code_issue.value
_ACTIVATION = AuditAction.activation.value


def access_log_query(participant_id: uuid.UUID) -> Select[Any]:
    """Clinician and integration reads of the participant's data, admin actions on their
    account, and the participant's own activations that set a password with a recovery code."""
    in_use = account_was_in_use(participant_id)
    return (
        select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.action, AuditEvent.actor_role)
        .add_columns(
            # Events recorded before names were kept have theirs filled in by the migration.
            func.coalesce(AuditEvent.actor_display_name, User.display_name).label("display_name"),
            case((AuditEvent.action.in_([_CODE_ISSUE, _ACTIVATION]), in_use), else_=false()).label(
                "recovery"
            ),
        )
        .outerjoin(User, User.id == AuditEvent.actor_id)  # an integration is no account
        .where(
            AuditEvent.participant_id == participant_id,
            AuditEvent.outcome == "success",
            or_(
                AuditEvent.action.in_(CLINICIAN_READS)
                & AuditEvent.actor_role.in_(("clinician", COVERING_ROLE)),
                AuditEvent.action.in_(INTEGRATION_READS)
                & (AuditEvent.actor_role == INTEGRATION_ROLE),
                AuditEvent.actor_role == "admin",
                and_(
                    AuditEvent.action == _ACTIVATION,
                    AuditEvent.actor_id == participant_id,
                    in_use,
                ),
            ),
        )
    )


def _security_notice(row: Any) -> Any:
    if row.action in (_CODE_ISSUE, _ACTIVATION) and not row.recovery:
        return None
    return KINDS.get(row.action)


def to_access_log_item(row: Any) -> AccessLogItem:
    """One row of `access_log_query` as the participant is shown it."""
    if row.action == _ACTIVATION:
        accessor, role, data = RECOVERY_CODE, "participant", "account"
    elif row.actor_role == "admin":
        accessor, role, data = ADMINISTRATOR, "admin", "account"
    elif row.actor_role == INTEGRATION_ROLE:
        accessor, role, data = row.display_name, INTEGRATION_ROLE, INTEGRATION_READS[row.action]
    else:
        role = "covering_clinician" if row.actor_role == COVERING_ROLE else "clinician"
        accessor, data = row.display_name, CLINICIAN_READS[row.action]
    return AccessLogItem(
        accessed_at=row.occurred_at,
        accessor=accessor,
        accessor_role=role,
        data=data,
        security_notice=_security_notice(row),
    )


async def list_access_log(
    session: AsyncSession, participant_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[AccessLogItem], str | None]:
    """Newest first, keyset-paginated on the audit event id."""
    statement = access_log_query(participant_id)
    if cursor is not None:
        statement = statement.where(AuditEvent.id < decode_event_cursor("access-log", cursor))
    rows, next_cursor = await fetch_page(
        session,
        statement.order_by(AuditEvent.id.desc()),
        limit,
        lambda row: event_cursor("access-log", row),
    )
    return [to_access_log_item(row) for row in rows], next_cursor
