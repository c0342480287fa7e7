"""Accounts: the caller's own profile."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import utcnow
from app.errors import Conflict
from app.users.emails import normalize_email
from app.users.models import Role, User


class EmailTaken(Conflict):
    code = "email-taken"
    example = "An account with this e-mail already exists."


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


ERASED_DISPLAY_NAME = "Erased participant"


async def erase_profile(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """Keep the account row with its id and nothing else that identifies the person: the
    audit trail (append-only, needed to show who read what) keeps a pseudonymous subject."""
    user = await session.get_one(User, user_id)
    user.email = f"erased-{user.id.hex}@erased.invalid"
    user.display_name = ERASED_DISPLAY_NAME
    user.timezone = "UTC"
    user.password_hash = None
    user.is_active = False
    user.erased_at = now
