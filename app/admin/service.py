"""Account administration: creating, listing, changing and deactivating accounts."""

import uuid
from collections.abc import Sequence
from functools import partial

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.admin import approvals
from app.admin.models import AdminApproval, ApprovalKind
from app.admin.schemas import AccountPage, AccountRead, ApprovalRead, UserCreate, UserUpdate
from app.audit.service import Actor, AuditAction, record_event
from app.auth.service import (
    IssuedActivationCode,
    issue_activation_code,
    revoke_user_sessions,
    withdraw_activation_codes,
)
from app.care import backups
from app.care import service as care
from app.care.schemas import AssignmentRead
from app.config import Settings
from app.db import utcnow
from app.errors import Conflict, InvalidInput, NotFound
from app.pagination import after_instant, decode_instant_cursor, encode_instant_cursor, fetch_page
from app.users.models import Role, User
from app.users.schemas import UserRead
from app.users.service import create_user

_CURSOR_KIND = "users"


class LastAdmin(Conflict):
    code = "last-admin"
    example = "This is the last active admin account; it cannot be deactivated."


class AccountInactive(Conflict):
    code = "account-inactive"
    example = "The account is deactivated; reactivate it first."


def _participant_id(user: User) -> uuid.UUID | None:
    return user.id if user.role is Role.participant else None


async def create_account(
    session: AsyncSession, settings: Settings, actor: Actor, data: UserCreate
) -> tuple[User, IssuedActivationCode]:
    """Create an account (no password yet) and its first one-time activation code."""
    user = await create_user(
        session,
        email=data.email,
        role=data.role,
        display_name=data.display_name,
        timezone=data.timezone,
    )
    code = await issue_activation_code(session, settings, user)
    await record_event(
        session,
        actor,
        AuditAction.account_create,
        participant_id=_participant_id(user),
        subject_id=user.id,
    )
    return user, code


async def get_account(
    session: AsyncSession, user_id: uuid.UUID, *, for_update: bool = False
) -> User:
    """The account, unless it does not exist or was erased (404 either way)."""
    statement = select(User).where(User.id == user_id, User.erased_at.is_(None))
    if for_update:
        # populate_existing: the row may already be in the session (an admin editing
        # themselves); after waiting for the lock we want what is committed now.
        statement = statement.with_for_update().execution_options(populate_existing=True)
    user = (await session.execute(statement)).scalar_one_or_none()
    if user is None:
        raise NotFound("No such account.")
    return user


async def with_caseloads(session: AsyncSession, users: Sequence[User]) -> list[AccountRead]:
    """The accounts as the admin reads them, clinicians with their caseload (one query)."""
    loads = await care.caseloads(
        session, [user.id for user in users if user.role is Role.clinician]
    )
    return [
        AccountRead.model_validate(
            {
                **UserRead.model_validate(user).model_dump(),
                "caseload": loads.get(user.id, 0) if user.role is Role.clinician else None,
            }
        )
        for user in users
    ]


async def list_accounts(
    session: AsyncSession,
    *,
    role: Role | None,
    without_clinician: bool = False,
    limit: int,
    cursor: str | None,
    search: str | None = None,
) -> AccountPage:
    """Accounts in the order they were created (erased ones left out), optionally one role,
    or only the participants no clinician cares for now; `search`: only those whose display
    name or e-mail contains it, in any case."""
    statement = select(User).where(User.erased_at.is_(None)).order_by(User.created_at, User.id)
    if search:
        statement = statement.where(
            or_(
                User.display_name.icontains(search, autoescape=True),
                User.email.icontains(search, autoescape=True),
            )
        )
    if role is not None:
        statement = statement.where(User.role == role)
    if without_clinician:
        statement = statement.where(care.without_clinician())
    if cursor is not None:
        after = decode_instant_cursor(_CURSOR_KIND, cursor)
        statement = statement.where(after_instant(User.created_at, User.id, *after))
    page, next_cursor = await fetch_page(
        session,
        statement,
        limit,
        lambda user: encode_instant_cursor(_CURSOR_KIND, user.created_at, user.id),
        objects=True,
    )
    return AccountPage(items=await with_caseloads(session, page), next_cursor=next_cursor)


async def _lock_active_admins(session: AsyncSession) -> set[uuid.UUID]:
    # Every active admin row, locked in id order before the target row: two admins
    # deactivating each other at once run one after the other (no deadlock), and the
    # second sees that it would leave no active admin.
    rows = await session.execute(
        select(User.id)
        .where(User.role == Role.admin, User.is_active.is_(True), User.erased_at.is_(None))
        .order_by(User.id)
        .with_for_update()
    )
    return set(rows.scalars())


async def update_account(
    session: AsyncSession, actor: Actor, user_id: uuid.UUID, changes: UserUpdate
) -> User:
    """Change the display name or active flag. Deactivation ends every session of the
    account at once (and, for a clinician, their open assignments), and is refused for the
    last active admin. Deactivation and
    reactivation withdraw the account's unused activation codes. Each change is audited
    on its own (a rename as `account.update`, identifiers only); a request that changes
    nothing records nothing."""
    active_admins = await _lock_active_admins(session) if changes.is_active is False else set()
    user = await get_account(session, user_id, for_update=True)
    deactivating = changes.is_active is False and user.is_active
    if deactivating and user.role is Role.admin and not active_admins - {user.id}:
        raise LastAdmin("This is the last active admin account; it cannot be deactivated.")
    events = []
    if changes.display_name is not None and changes.display_name != user.display_name:
        user.display_name = changes.display_name
        events.append(AuditAction.account_update)
    if changes.is_active is not None and changes.is_active != user.is_active:
        user.is_active = changes.is_active
        events.append(
            AuditAction.account_deactivate if deactivating else AuditAction.account_reactivate
        )
        # A code handed over before the account's state changed must not outlive it.
        await withdraw_activation_codes(session, user.id, utcnow())
    if not events:
        return user
    if deactivating:
        await revoke_user_sessions(session, user.id)
        if user.role is Role.clinician:
            # Nobody may be left in the care of an account that can no longer sign in.
            await care.end_clinician_assignments(session, actor, user.id)
            await backups.end_clinician_backups(session, actor, user.id)
    await session.flush()
    await session.refresh(user)
    for action in events:
        await record_event(
            session, actor, action, participant_id=_participant_id(user), subject_id=user.id
        )
    return user


async def reissue_activation_code(
    session: AsyncSession, settings: Settings, actor: Actor, user_id: uuid.UUID
) -> IssuedActivationCode | ApprovalRead:
    """A fresh one-time code (lost code, forgotten password); the previous one stops working.
    The account keeps its password until the code is used; but when it has one (a
    recovery), every session of the account ends now.

    With `second_admin_approval` on, recovering an activated participant's account only
    records a request for a second admin, returned instead of a code."""
    user = await get_account(session, user_id, for_update=True)
    if not user.is_active:
        raise AccountInactive("The account is deactivated; reactivate it first.")
    if settings.second_admin_approval and _is_recovery(user) and user.role is Role.participant:
        return await approvals.request_approval(
            session, actor, ApprovalKind.participant_recovery, user.id
        )
    return await _issue_code(session, settings, actor, user)


def _is_recovery(user: User) -> bool:
    return user.password_hash is not None


async def _issue_code(
    session: AsyncSession, settings: Settings, actor: Actor, user: User
) -> IssuedActivationCode:
    if _is_recovery(user):
        # Whoever is signed in now, the owner or someone who took the account over, is
        # signed out: the account is being handed to whoever holds the new code.
        await revoke_user_sessions(session, user.id)
    code = await issue_activation_code(session, settings, user)
    await record_event(
        session,
        actor,
        AuditAction.activation_code_issue,
        participant_id=_participant_id(user),
        subject_id=user.id,
    )
    return code


async def assign_clinician(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    participant_id: uuid.UUID,
    clinician_id: uuid.UUID,
) -> AssignmentRead | ApprovalRead:
    """Assign the participant to the clinician (see `care.assign_clinician`); with
    `second_admin_approval` on and a clinician account created less than 24 hours ago,
    record a request for a second admin instead."""
    if settings.second_admin_approval:
        clinician = await care.check_assignable(session, participant_id, clinician_id)
        current = await care.get_open_assignment(session, participant_id)
        is_new = clinician.created_at > utcnow() - approvals.NEW_CLINICIAN_AGE
        if is_new and (current is None or current.clinician_id != clinician_id):
            return await approvals.request_approval(
                session, actor, ApprovalKind.new_clinician_assignment, participant_id, clinician_id
            )
    return await care.assign_clinician(session, actor, participant_id, clinician_id)


async def _execute(
    settings: Settings, session: AsyncSession, actor: Actor, approval: AdminApproval
) -> approvals.Executed:
    try:
        if approval.kind == ApprovalKind.new_clinician_assignment:
            assert approval.clinician_id is not None  # noqa: S101 - set for this kind
            assignment = await care.assign_clinician(
                session, actor, approval.participant_id, approval.clinician_id
            )
            return approvals.Executed(assignment=assignment)
        user = await get_account(session, approval.participant_id, for_update=True)
    except (NotFound, InvalidInput) as exc:
        raise approvals.ApprovalClosed(
            "The accounts changed since the request; it no longer applies."
        ) from exc
    if not user.is_active:
        raise AccountInactive("The account is deactivated; reactivate it first.")
    return approvals.Executed(code=await _issue_code(session, settings, actor, user))


async def approve_request(
    session: AsyncSession, settings: Settings, actor: Actor, approval_id: uuid.UUID
) -> tuple[ApprovalRead, approvals.Executed]:
    """Approve another admin's pending request and carry it out (see `approvals.approve`)."""
    return await approvals.approve(session, actor, approval_id, partial(_execute, settings))
