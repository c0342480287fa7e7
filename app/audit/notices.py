"""A participant's security notices, derived from the audit trail (no table of their own).

An admin can reach a participant's journal in two ways: issue a recovery code and set a new
password with it, or put a clinician (perhaps an account of their own) in the participant's
care. Both are audited; a notice is such an event, shown to the participant:
- `account.activation_code_issue` about the participant, once the account had been in use
  (activated or signed in before): account recovery started. The code that account creation
  issues is not a notice (it records `account.create`), nor is a second code for an account
  nobody has used yet;
- `auth.activate` by the participant once the account had been in use: a password set with
  a recovery code;
- `assignment.set` and `assignment.end` about the participant: the care team changed.
"""

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.audit.models import SECURITY_NOTICE_WHERE, AuditEvent
from app.audit.queries import decode_event_cursor, event_cursor
from app.audit.schemas import SecurityNoticeKind, SecurityNoticePage, SecurityNoticeRead
from app.audit.service import AuditAction
from app.pagination import fetch_page
from app.users.models import User

_CURSOR_KIND = "security-notices"
# More unseen notices than this are shown as this many: the count stays one short scan.
UNSEEN_COUNT_CAP = 100
_RECOVERY_ACTIONS = (AuditAction.activation_code_issue.value, AuditAction.activation.value)
KINDS: dict[str, SecurityNoticeKind] = {
    AuditAction.activation_code_issue.value: "account_recovery_started",
    AuditAction.activation.value: "password_set_with_recovery_code",
    AuditAction.assignment_set.value: "clinician_assigned",
    AuditAction.assignment_end.value: "clinician_unassigned",
}
MESSAGES: dict[SecurityNoticeKind, str] = {
    "account_recovery_started": (
        "An administrator issued a recovery code for your account: whoever uses it can set a "
        "new password and sign in as you. If you did not ask for one, contact your clinic."
    ),
    "password_set_with_recovery_code": (
        "A new password was set for your account with a recovery code, and your other "
        "sessions were ended. If this was not you, contact your clinic."
    ),
    "clinician_assigned": (
        "Your care team changed: a clinician was assigned to you and can now read your "
        "journal. If you did not expect this, contact your clinic."
    ),
    "clinician_unassigned": (
        "Your care team changed: your clinician's assignment ended, and they can no longer "
        "read your journal."
    ),
}


def account_was_in_use(participant_id: uuid.UUID) -> ColumnElement[bool]:
    """Whether the participant had activated or signed in before the `AuditEvent` row at
    hand (a correlated EXISTS, on the `(actor_id, id)` index)."""
    prior = aliased(AuditEvent)
    return exists().where(
        prior.actor_id == participant_id,
        prior.id < AuditEvent.id,
        prior.action.in_([AuditAction.activation.value, AuditAction.sign_in.value]),
        prior.outcome == "success",
    )


def is_notice(participant_id: uuid.UUID) -> ColumnElement[bool]:
    """The condition on `AuditEvent` rows about the participant that are security notices."""
    return and_(
        AuditEvent.participant_id == participant_id,
        # Repeated word for word from the partial index, so that both databases use it.
        SECURITY_NOTICE_WHERE,
        AuditEvent.outcome == "success",
        or_(
            AuditEvent.action.not_in(_RECOVERY_ACTIONS),
            account_was_in_use(participant_id),
        ),
        # The participant's own activation is a notice; no one else records one about them.
        or_(
            AuditEvent.action != AuditAction.activation.value,
            AuditEvent.actor_id == participant_id,
        ),
    )


def _notices(participant_id: uuid.UUID) -> Select[int, datetime, str]:
    return select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.action).where(
        is_notice(participant_id)
    )


async def list_security_notices(
    session: AsyncSession, participant_id: uuid.UUID, *, limit: int, cursor: str | None
) -> SecurityNoticePage:
    """The participant's security notices, newest first, keyset-paginated on the event id.

    Listing the first page marks everything on it as seen (`unseen_security_notices` on
    `GET /v1/me` counts what came after the newest notice listed)."""
    statement = _notices(participant_id).order_by(AuditEvent.id.desc())
    if cursor is not None:
        statement = statement.where(AuditEvent.id < decode_event_cursor(_CURSOR_KIND, cursor))
    page, next_cursor = await fetch_page(
        session, statement, limit, lambda row: event_cursor(_CURSOR_KIND, row)
    )
    if cursor is None and page:
        await _mark_seen(session, participant_id, page[0].occurred_at)
    items = [
        SecurityNoticeRead(
            kind=KINDS[row.action], occurred_at=row.occurred_at, message=MESSAGES[KINDS[row.action]]
        )
        for row in page
    ]
    return SecurityNoticePage(items=items, next_cursor=next_cursor)


async def _mark_seen(session: AsyncSession, participant_id: uuid.UUID, newest: datetime) -> None:
    # The newest notice shown, not "now": a notice committed just after this listing, with an
    # earlier time, still counts as unseen. Never moved back by an older concurrent listing.
    seen = User.security_notices_seen_at
    await session.execute(
        update(User)
        .where(User.id == participant_id, or_(seen.is_(None), seen < newest))
        .values(security_notices_seen_at=newest)
        .execution_options(synchronize_session=False)
    )


async def count_unseen_notices(session: AsyncSession, participant_id: uuid.UUID) -> int:
    """Notices newer than the newest one the participant has listed (at most 100)."""
    seen = select(User.security_notices_seen_at).where(User.id == participant_id).scalar_subquery()
    unseen = (
        select(AuditEvent.id)
        .where(is_notice(participant_id), or_(seen.is_(None), AuditEvent.occurred_at > seen))
        .limit(UNSEEN_COUNT_CAP)
        .subquery()
    )
    return (await session.execute(select(func.count()).select_from(unseen))).scalar_one()
