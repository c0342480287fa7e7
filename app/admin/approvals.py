"""The two-person rule: admin actions that wait for a second admin's approval.

With `JOURNAL_SECOND_ADMIN_APPROVAL` on, two ways for one admin to reach a participant's
journal need a second admin: recovering an activated participant's account (the code is
made only on approval, and shown only to the approving admin, so the requester never holds
it), and assigning a participant to a clinician account less than 24 hours old (an admin
could make one for themselves). The requester cannot approve their own request; any admin
(the requester too) can reject one; each step is audited.
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin.models import AdminApproval, ApprovalKind, ApprovalStatus
from app.admin.schemas import ApprovalPage, ApprovalRead
from app.audit.service import Actor, AuditAction, record_event
from app.auth.service import IssuedActivationCode
from app.care.schemas import AssignmentRead
from app.db import utcnow
from app.errors import Conflict, Forbidden, NotFound
from app.pagination import after_instant, decode_instant_cursor, encode_instant_cursor, fetch_page

# How long a request waits for a second admin; after that it must be made again.
APPROVAL_TTL = timedelta(hours=24)
# A clinician account younger than this needs a second admin to be given a participant.
NEW_CLINICIAN_AGE = timedelta(hours=24)
_CURSOR_KIND = "approvals"


class OwnApproval(Forbidden):
    code = "own-approval-request"
    example = "A request must be approved by another admin than the one who made it."


class ApprovalClosed(Conflict):
    code = "approval-closed"
    example = "The request is expired; make a new one if still needed."


@dataclass(frozen=True)
class Executed:
    """What an approved request did: a code to hand over, or the new assignment."""

    code: IssuedActivationCode | None = None
    assignment: AssignmentRead | None = None


# Carries out an approved request, as the approving admin; raises when it no longer applies.
Executor = Callable[[AsyncSession, Actor, AdminApproval], Awaitable[Executed]]


def status_of(approval: AdminApproval, now: datetime) -> ApprovalStatus:
    if approval.status == ApprovalStatus.pending and approval.expires_at <= now:
        return ApprovalStatus.expired
    return ApprovalStatus(approval.status)


def read_approval(approval: AdminApproval, now: datetime) -> ApprovalRead:
    return ApprovalRead(
        id=approval.id,
        kind=ApprovalKind(approval.kind),
        status=status_of(approval, now),
        participant_id=approval.participant_id,
        clinician_id=approval.clinician_id,
        requested_by=approval.requested_by,
        requested_at=approval.requested_at,
        expires_at=approval.expires_at,
        decided_by=approval.decided_by,
        decided_at=approval.decided_at,
    )


async def request_approval(
    session: AsyncSession,
    actor: Actor,
    kind: ApprovalKind,
    participant_id: uuid.UUID,
    clinician_id: uuid.UUID | None = None,
) -> ApprovalRead:
    """Record a request for a second admin (audited). The same request still pending is
    answered with the existing one, not a second."""
    now = utcnow()
    existing = (
        await session.execute(
            select(AdminApproval).where(
                AdminApproval.status == ApprovalStatus.pending.value,
                AdminApproval.expires_at > now,
                AdminApproval.kind == kind.value,
                AdminApproval.participant_id == participant_id,
                AdminApproval.clinician_id == clinician_id
                if clinician_id
                else AdminApproval.clinician_id.is_(None),
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return read_approval(existing, now)
    approval = AdminApproval(
        id=uuid.uuid4(),
        kind=kind.value,
        status=ApprovalStatus.pending.value,
        participant_id=participant_id,
        clinician_id=clinician_id,
        requested_by=actor.user_id,
        requested_at=now,
        expires_at=now + APPROVAL_TTL,
    )
    session.add(approval)
    await session.flush()
    await record_event(
        session,
        actor,
        AuditAction.approval_request,
        participant_id=participant_id,
        subject_id=approval.id,
    )
    return read_approval(approval, now)


async def list_approvals(
    session: AsyncSession, *, status: ApprovalStatus | None, limit: int, cursor: str | None
) -> ApprovalPage:
    """Requests oldest first, optionally of one status (`expired`: pending past its time)."""
    now = utcnow()
    statement = select(AdminApproval).order_by(AdminApproval.requested_at, AdminApproval.id)
    if status in (ApprovalStatus.pending, ApprovalStatus.expired):
        statement = statement.where(
            AdminApproval.status == ApprovalStatus.pending.value,
            AdminApproval.expires_at > now
            if status is ApprovalStatus.pending
            else AdminApproval.expires_at <= now,
        )
    elif status is not None:
        statement = statement.where(AdminApproval.status == status.value)
    if cursor is not None:
        after = decode_instant_cursor(_CURSOR_KIND, cursor)
        statement = statement.where(
            after_instant(AdminApproval.requested_at, AdminApproval.id, *after)
        )
    page, next_cursor = await fetch_page(
        session,
        statement,
        limit,
        lambda approval: encode_instant_cursor(_CURSOR_KIND, approval.requested_at, approval.id),
        objects=True,
    )
    return ApprovalPage(items=[read_approval(a, now) for a in page], next_cursor=next_cursor)


async def _lock_pending(
    session: AsyncSession, approval_id: uuid.UUID, now: datetime
) -> AdminApproval:
    # Locked: of two admins deciding at once, the second finds it decided.
    approval = (
        await session.execute(
            select(AdminApproval)
            .where(AdminApproval.id == approval_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if approval is None:
        raise NotFound("No such approval request.")
    status = status_of(approval, now)
    if status is not ApprovalStatus.pending:
        raise ApprovalClosed(f"The request is {status.value}; make a new one if still needed.")
    return approval


async def _decide(
    session: AsyncSession, actor: Actor, approval: AdminApproval, status: ApprovalStatus
) -> None:
    approval.status = status.value
    approval.decided_by = actor.user_id
    approval.decided_at = utcnow()
    await session.flush()
    action = (
        AuditAction.approval_grant
        if status is ApprovalStatus.approved
        else AuditAction.approval_reject
    )
    await record_event(
        session, actor, action, participant_id=approval.participant_id, subject_id=approval.id
    )


async def approve(
    session: AsyncSession, actor: Actor, approval_id: uuid.UUID, execute: Executor
) -> tuple[ApprovalRead, Executed]:
    """Approve a pending request of another admin and carry it out, as the approver.

    `403` for one's own request; `409` when it is decided or expired, or when it no longer
    applies (the account was deactivated or erased meanwhile)."""
    now = utcnow()
    approval = await _lock_pending(session, approval_id, now)
    if approval.requested_by == actor.user_id:
        raise OwnApproval("A request must be approved by another admin than the one who made it.")
    executed = await execute(session, actor, approval)
    await _decide(session, actor, approval, ApprovalStatus.approved)
    return read_approval(approval, now), executed


async def reject(session: AsyncSession, actor: Actor, approval_id: uuid.UUID) -> ApprovalRead:
    """Turn down a pending request (any admin, its requester too, who withdraws it)."""
    now = utcnow()
    approval = await _lock_pending(session, approval_id, now)
    await _decide(session, actor, approval, ApprovalStatus.rejected)
    return read_approval(approval, now)
