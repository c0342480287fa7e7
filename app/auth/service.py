"""Sign-in, sessions, token rotation, activation and password changes."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.auth import throttle
from app.auth.identity import ClientInfo, Identity, SignedInUser
from app.auth.models import ActivationCode, AuthSession, RefreshToken
from app.auth.passwords import (
    check_password_policy,
    hash_password,
    verify_and_update_password,
    verify_password,
)
from app.auth.tokens import (
    create_access_token,
    hash_secret,
    new_activation_code,
    new_refresh_token,
    normalize_activation_code,
)
from app.config import Settings
from app.db import utcnow
from app.errors import Conflict, InvalidInput, NotAuthenticated
from app.users.models import User

REFRESH_PURPOSE = "refresh"
ACTIVATION_PURPOSE = "activation"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int


@dataclass(frozen=True)
class IssuedActivationCode:
    code: str
    expires_at: datetime


async def _issue_refresh_token(
    session: AsyncSession, settings: Settings, user: User, auth_session: AuthSession, now: datetime
) -> TokenPair:
    refresh_token = new_refresh_token()
    session.add(
        RefreshToken(
            token_hash=hash_secret(REFRESH_PURPOSE, refresh_token),
            session_id=auth_session.id,
            created_at=now,
        )
    )
    await session.flush()
    return TokenPair(
        access_token=create_access_token(settings, user.id, auth_session.id, now),
        expires_in=int(settings.access_token_ttl.total_seconds()),
        refresh_token=refresh_token,
        refresh_expires_in=int((auth_session.idle_expires_at - now).total_seconds()),
    )


async def start_session(
    session: AsyncSession, settings: Settings, user: User, now: datetime
) -> TokenPair:
    idle, absolute = settings.refresh_lifetimes(user.role.value)
    auth_session = AuthSession(
        id=uuid.uuid4(),
        user_id=user.id,
        created_at=now,
        refreshed_at=now,
        idle_expires_at=min(now + idle, now + absolute),
        absolute_expires_at=now + absolute,
    )
    session.add(auth_session)
    await session.flush()
    return await _issue_refresh_token(session, settings, user, auth_session, now)


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    result = await session.execute(select(User).where(User.email == email.strip().lower()))
    return result.scalar_one_or_none()


async def _fail(
    session: AsyncSession,
    settings: Settings,
    client: ClientInfo,
    email: str,
    action: AuditAction,
    user: User | None,
    now: datetime,
    detail: str,
) -> NotAuthenticated:
    await throttle.record_failure(session, settings, email, client.address, now)
    await record_event(
        session,
        client.anonymous_actor,
        action,
        subject_id=user.id if user else None,
        participant_id=user.id if user and user.role.value == "participant" else None,
        outcome="failure",
    )
    return NotAuthenticated(detail, keep_changes=True)


async def sign_in(
    session: AsyncSession, settings: Settings, client: ClientInfo, email: str, password: str
) -> TokenPair:
    """Check the credentials and open a session. Unknown e-mail, wrong password and
    deactivated account look the same, and cost the same time."""
    now = utcnow()
    await throttle.ensure_not_throttled(session, settings, email, client.address, now)
    found = await find_user_by_email(session, email)
    checked_id, password_hash = (found.id, found.password_hash) if found else (None, None)
    # Nothing is written yet: end the read transaction so that the slow Argon2 check holds
    # no database connection (on SQLite, the one connection and its write lock that every
    # other request waits for). Measured: a burst of 8 failed sign-ins stalled a concurrent
    # `GET /v1/me` for 3 s.
    await session.rollback()
    password_ok, updated_hash = await verify_and_update_password(password, password_hash)
    # Read again after the wait (the account may have changed meanwhile), known or not,
    # so that both paths issue the same statements.
    user = await find_user_by_email(session, email)
    if user is not None and (user.id != checked_id or user.password_hash != password_hash):
        password_ok = False  # what was checked is no longer this account's password
    if user is None or not password_ok or not user.is_active or user.erased_at is not None:
        raise await _fail(
            session,
            settings,
            client,
            email,
            AuditAction.sign_in,
            user,
            now,
            "Incorrect e-mail or password.",
        )
    if updated_hash is not None:
        user.password_hash = updated_hash  # hashed with older Argon2 parameters
    await record_event(
        session,
        Actor(user.id, user.role.value, client.request_id),
        AuditAction.sign_in,
        participant_id=_participant_of(user),
    )
    return await start_session(session, settings, user, now)


def _participant_of(user: User | SignedInUser) -> uuid.UUID | None:
    return user.id if user.role.value == "participant" else None


async def refresh_session(
    session: AsyncSession, settings: Settings, client: ClientInfo, refresh_token: str
) -> TokenPair:
    """Rotate a refresh token. A used one presented again revokes its whole session."""
    now = utcnow()
    invalid = NotAuthenticated("The refresh token is invalid or expired.")
    token_hash = hash_secret(REFRESH_PURPOSE, refresh_token)
    session_id = (
        await session.execute(
            select(RefreshToken.session_id).where(RefreshToken.token_hash == token_hash)
        )
    ).scalar_one_or_none()
    if session_id is None:
        raise invalid
    # Lock the session row, then read the token again: of two concurrent refreshes with
    # one token, the second sees it used and is treated as a replay.
    auth_session = (
        await session.execute(
            select(AuthSession).where(AuthSession.id == session_id).with_for_update()
        )
    ).scalar_one()
    used_at = (
        await session.execute(
            select(RefreshToken.used_at).where(RefreshToken.token_hash == token_hash)
        )
    ).scalar_one()
    user = await session.get_one(User, auth_session.user_id)
    if auth_session.revoked_at is not None:
        raise invalid
    if used_at is not None:
        auth_session.revoked_at = now
        await record_event(
            session,
            Actor(user.id, user.role.value, client.request_id),
            AuditAction.refresh_reuse,
            participant_id=_participant_of(user),
            subject_id=auth_session.id,
            outcome="failure",
        )
        raise NotAuthenticated(
            "This refresh token was already used; the session has been ended.",
            keep_changes=True,
        )
    if now >= auth_session.idle_expires_at or now >= auth_session.absolute_expires_at:
        raise invalid
    if not user.is_active or user.erased_at is not None:
        raise invalid
    await session.execute(
        update(RefreshToken).where(RefreshToken.token_hash == token_hash).values(used_at=now)
    )
    idle, _ = settings.refresh_lifetimes(user.role.value)
    auth_session.refreshed_at = now
    auth_session.idle_expires_at = min(now + idle, auth_session.absolute_expires_at)
    return await _issue_refresh_token(session, settings, user, auth_session, now)


async def end_session(session: AsyncSession, identity: Identity) -> None:
    """Log out: the session's access and refresh tokens stop working at once."""
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == identity.session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await record_event(
        session,
        identity.actor,
        AuditAction.logout,
        participant_id=_participant_of(identity.user),
        subject_id=identity.session_id,
    )


async def revoke_user_sessions(
    session: AsyncSession, user_id: uuid.UUID, keep: uuid.UUID | None = None
) -> None:
    statement = update(AuthSession).where(
        AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None)
    )
    if keep is not None:
        statement = statement.where(AuthSession.id != keep)
    await session.execute(statement.values(revoked_at=utcnow()))


async def issue_activation_code(
    session: AsyncSession, settings: Settings, user: User
) -> IssuedActivationCode:
    """A fresh one-time code for `user`; any earlier unused code stops working."""
    now = utcnow()
    await session.execute(
        update(ActivationCode)
        .where(ActivationCode.user_id == user.id, ActivationCode.used_at.is_(None))
        .values(used_at=now)
    )
    code = new_activation_code()
    expires_at = now + timedelta(days=settings.activation_code_days)
    session.add(
        ActivationCode(
            code_hash=hash_secret(ACTIVATION_PURPOSE, normalize_activation_code(code)),
            user_id=user.id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()
    return IssuedActivationCode(code=code, expires_at=expires_at)


async def activate_account(
    session: AsyncSession,
    settings: Settings,
    client: ClientInfo,
    email: str,
    code: str,
    password: str,
) -> TokenPair:
    """Set the password of a new (or reset) account with its one-time code; sign it in."""
    now = utcnow()
    await throttle.ensure_not_throttled(session, settings, email, client.address, now)
    user = await find_user_by_email(session, email)
    activation = None
    if user is not None and user.is_active and user.erased_at is None:
        activation = (
            await session.execute(
                select(ActivationCode).where(
                    ActivationCode.code_hash
                    == hash_secret(ACTIVATION_PURPOSE, normalize_activation_code(code)),
                    ActivationCode.user_id == user.id,
                    ActivationCode.used_at.is_(None),
                    ActivationCode.expires_at > now,
                )
            )
        ).scalar_one_or_none()
    if user is None or activation is None:
        raise await _fail(
            session,
            settings,
            client,
            email,
            AuditAction.activation,
            user,
            now,
            "Incorrect e-mail or activation code, or the code has expired.",
        )
    user_id, code_hash = user.id, activation.code_hash
    await check_password_policy(
        password, "body.password", [user.email, user.display_name, "journal", "wellbeing"]
    )
    # Nothing is written yet: hash without holding the database connection (see sign_in).
    await session.rollback()
    password_hash = await hash_password(password)
    # Claim the code only now, atomically: of two concurrent activations one wins.
    claimed = await session.execute(
        update(ActivationCode)
        .where(
            ActivationCode.code_hash == code_hash,
            ActivationCode.used_at.is_(None),
            ActivationCode.expires_at > now,
        )
        .values(used_at=now)
    )
    user = await session.get_one(User, user_id, populate_existing=True)
    if claimed.rowcount != 1 or not user.is_active or user.erased_at is not None:  # type: ignore[attr-defined]
        raise NotAuthenticated("The activation code has just been used or withdrawn.")
    user.password_hash = password_hash
    await revoke_user_sessions(session, user.id)
    await record_event(
        session,
        Actor(user.id, user.role.value, client.request_id),
        AuditAction.activation,
        participant_id=_participant_of(user),
    )
    return await start_session(session, settings, user, now)


async def change_password(
    session: AsyncSession,
    settings: Settings,
    client: ClientInfo,
    identity: Identity,
    current_password: str,
    new_password: str,
) -> None:
    """Replace the password; every other session of the account ends.

    A wrong current password counts as a failed sign-in of the account (and is throttled
    the same way), so that a stolen access token cannot be used to guess the password."""
    user = await session.get_one(User, identity.user.id)
    now = utcnow()
    await throttle.ensure_not_throttled(session, settings, user.email, client.address, now)
    user_id, email, checked_hash = user.id, user.email, user.password_hash
    user_inputs = [user.email, user.display_name, current_password]
    # Nothing is written yet: run Argon2 without holding the database connection (see sign_in).
    await session.rollback()
    current_ok = await verify_password(current_password, checked_hash)
    if current_ok:
        await check_password_policy(new_password, "body.new_password", user_inputs)
        new_hash = await hash_password(new_password)
    user = await session.get_one(User, user_id, populate_existing=True)
    if not current_ok:
        await throttle.record_failure(session, settings, email, client.address, now)
        await record_event(
            session,
            identity.actor,
            AuditAction.password_change,
            participant_id=_participant_of(user),
            outcome="failure",
        )
        wrong = InvalidInput(
            "body.current_password", "The current password is incorrect.", "wrong-password"
        )
        wrong.keep_changes = True
        raise wrong
    if user.password_hash != checked_hash:
        raise Conflict("The password was changed at the same time; sign in again.")
    user.password_hash = new_hash
    await revoke_user_sessions(session, user.id, keep=identity.session_id)
    await record_event(
        session,
        identity.actor,
        AuditAction.password_change,
        participant_id=_participant_of(user),
    )
