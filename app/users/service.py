"""Accounts: the caller's own profile."""

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.identity import Identity
from app.db import utcnow
from app.errors import Conflict
from app.users.models import Role, User
from app.users.schemas import MeUpdate


async def update_me(session: AsyncSession, identity: Identity, changes: MeUpdate) -> User:
    """Change the caller's display name or time zone; fields left out stay as they are."""
    user = await session.get_one(User, identity.user.id)
    for field, value in changes.model_dump(exclude_unset=True).items():
        if value is None:
            continue
        setattr(user, field, value)
    await session.flush()
    await session.refresh(user)
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
    normalized = email.strip().lower()
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
