"""Accounts: the caller's own profile."""

import uuid
from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.notices import count_unseen_notices
from app.audit.service import AuditAction, record_event
from app.auth.emails import normalize_email
from app.auth.identity import Identity
from app.db import utcnow
from app.errors import Conflict
from app.users.models import Role, User
from app.users.schemas import MeRead, MeUpdate

# One audit event per field that changed: which field, never its old or new value.
_PROFILE_CHANGES = {
    "display_name": AuditAction.profile_display_name_change,
    "timezone": AuditAction.profile_timezone_change,
}


async def get_me(session: AsyncSession, identity: Identity) -> MeRead:
    """The caller's account, with the count of security notices they have not listed yet."""
    unseen = 0
    if identity.user.role is Role.participant:
        unseen = await count_unseen_notices(session, identity.user.id)
    return MeRead(**asdict(identity.user), unseen_security_notices=unseen)


async def update_me(session: AsyncSession, identity: Identity, changes: MeUpdate) -> User:
    """Change the caller's display name or time zone; fields left out stay as they are.

    Each field that really changes is audited (the field, not the values); a request that
    changes nothing records nothing."""
    user = await session.get_one(User, identity.user.id)
    changed = []
    for field, value in changes.model_dump(exclude_unset=True).items():
        if value is None or value == getattr(user, field):
            continue
        setattr(user, field, value)
        changed.append(field)
    await session.flush()
    await session.refresh(user)
    participant_id = user.id if user.role is Role.participant else None
    for field in changed:
        await record_event(
            session,
            identity.actor,
            _PROFILE_CHANGES[field],
            participant_id=participant_id,
            subject_id=user.id,
        )
    return user


class EmailTaken(Conflict):
    code = "email-taken"


async def create_user(
    session: AsyncSession,
    *,
    email: str,
    role: Role,
    display_name: str,
    timezone: str = "UTC",
    password_hash: str | None = None,
) -> User:
    """Insert an account; the e-mail is unique regardless of case (409 otherwise)."""
    normalized = normalize_email(email)
    existing = await session.execute(select(User.id).where(User.email == normalized))
    if existing.first() is not None:
        raise EmailTaken("An account with this e-mail already exists.")
    now = utcnow()
    user = User(
        id=uuid.uuid4(),
        email=normalized,
        role=role,
        display_name=display_name,
        timezone=timezone,
        is_active=True,
        password_hash=password_hash,
        created_at=now,
        updated_at=now,
    )
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise EmailTaken("An account with this e-mail already exists.") from exc
    return user
