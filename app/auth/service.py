"""Sessions, token rotation and activation codes (sign-in itself is in `credentials`)."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.auth.identity import ClientInfo, Identity, SignedInUser
from app.auth.models import ActivationCode, AuthSession, RefreshToken
from app.auth.tokens import (
    create_access_token,
    hash_secret,
    new_activation_code,
    new_refresh_token,
    normalize_activation_code,
    paired_access_token_id,
    successor_refresh_token,
)
from app.config import Settings
from app.db import utcnow
from app.errors import NotAuthenticated
from app.users.emails import normalize_email
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


def _token_pair(
    settings: Settings,
    user_id: uuid.UUID,
    auth_session: AuthSession,
    refresh: RefreshToken,
    refresh_token: str,
    now: datetime,
) -> TokenPair:
    """The pair issued with `refresh`: its access token is dated when the refresh token was
    made, with a `jti` fixed by it, so the same pair can be given again (a lost answer)."""
    issued_at = refresh.created_at
    access_token = create_access_token(
        settings,
        user_id,
        auth_session.id,
        issued_at,
        token_id=paired_access_token_id(refresh.token_hash),
    )
    remaining = settings.access_token_ttl - (now - issued_at)
    return TokenPair(
        access_token=access_token,
        expires_in=int(remaining.total_seconds()),
        refresh_token=refresh_token,
        refresh_expires_in=int((auth_session.idle_expires_at - now).total_seconds()),
    )


async def _issue_refresh_token(
    session: AsyncSession,
    settings: Settings,
    user: User,
    auth_session: AuthSession,
    now: datetime,
    refresh_token: str | None = None,
) -> TokenPair:
    refresh_token = refresh_token or new_refresh_token()
    refresh = RefreshToken(
        token_hash=hash_secret(REFRESH_PURPOSE, refresh_token),
        session_id=auth_session.id,
        created_at=now,
    )
    session.add(refresh)
    await session.flush()
    return _token_pair(settings, user.id, auth_session, refresh, refresh_token, now)


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
    """The account with this address in any spelling (see `normalize_email`), read afresh
    even when the session already holds it."""
    result = await session.execute(
        select(User)
        .where(User.email == normalize_email(email))
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


def participant_of(user: User | SignedInUser) -> uuid.UUID | None:
    """The account's id when it is a participant's (what audit events file it under)."""
    return user.id if user.role.value == "participant" else None


async def _unused_successor(
    session: AsyncSession,
    settings: Settings,
    auth_session: AuthSession,
    refresh_token: str,
    used_at: datetime,
    now: datetime,
) -> tuple[RefreshToken, str] | None:
    """The token that rotating `refresh_token` handed out, when the rotation was within the
    grace window and that token is still unused: a retry whose first answer was lost."""
    if now - used_at > timedelta(seconds=settings.refresh_reuse_grace_seconds):
        return None
    successor = successor_refresh_token(settings.signing_key(), refresh_token)
    found = (
        await session.execute(
            select(RefreshToken).where(
                RefreshToken.token_hash == hash_secret(REFRESH_PURPOSE, successor),
                RefreshToken.session_id == auth_session.id,
                RefreshToken.used_at.is_(None),
            )
        )
    ).scalar_one_or_none()
    return (found, successor) if found is not None else None


async def _revoke_for_reuse(
    session: AsyncSession, client: ClientInfo, user: User, auth_session: AuthSession, now: datetime
) -> NotAuthenticated:
    auth_session.revoked_at = now
    await record_event(
        session,
        Actor(user.id, user.role.value, client.request_id),
        AuditAction.refresh_reuse,
        participant_id=participant_of(user),
        subject_id=auth_session.id,
        outcome="failure",
    )
    return NotAuthenticated(
        "This refresh token was already used; the session has been ended.", keep_changes=True
    )


async def refresh_session(
    session: AsyncSession, settings: Settings, client: ClientInfo, refresh_token: str
) -> TokenPair:
    """Rotate a refresh token. A used one presented again revokes its whole session, unless
    it is the last one rotated, within the grace window: that returns the same new pair."""
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
    # one token, the second sees it used (and, within the grace window, gets the same pair).
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
    successor = None
    if used_at is not None:
        successor = await _unused_successor(
            session, settings, auth_session, refresh_token, used_at, now
        )
        if successor is None:
            raise await _revoke_for_reuse(session, client, user, auth_session, now)
    if now >= auth_session.idle_expires_at or now >= auth_session.absolute_expires_at:
        raise invalid
    if not user.is_active or user.erased_at is not None:
        raise invalid
    if successor is not None:
        refresh, successor_token = successor
        return _token_pair(settings, user.id, auth_session, refresh, successor_token, now)
    await session.execute(
        update(RefreshToken).where(RefreshToken.token_hash == token_hash).values(used_at=now)
    )
    idle, _ = settings.refresh_lifetimes(user.role.value)
    auth_session.refreshed_at = now
    auth_session.idle_expires_at = min(now + idle, auth_session.absolute_expires_at)
    successor_token = successor_refresh_token(settings.signing_key(), refresh_token)
    return await _issue_refresh_token(
        session, settings, user, auth_session, now, refresh_token=successor_token
    )


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
        participant_id=participant_of(identity.user),
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


async def forget_credentials(session: AsyncSession, user_id: uuid.UUID) -> None:
    """An erased account's sessions end and its activation codes are deleted."""
    await revoke_user_sessions(session, user_id)
    await session.execute(delete(ActivationCode).where(ActivationCode.user_id == user_id))


async def withdraw_activation_codes(
    session: AsyncSession, user_id: uuid.UUID, now: datetime
) -> None:
    """Every unused activation code of the account stops working (marked used).

    Called whenever the account's credentials or state change (sign-in, password change,
    deactivation, reactivation, a new code): a code handed over for an earlier state must
    not take the account over later."""
    await session.execute(
        update(ActivationCode)
        .where(ActivationCode.user_id == user_id, ActivationCode.used_at.is_(None))
        .values(used_at=now)
    )


async def issue_activation_code(
    session: AsyncSession, settings: Settings, user: User
) -> IssuedActivationCode:
    """A fresh one-time code for `user`; any earlier unused code stops working."""
    now = utcnow()
    await withdraw_activation_codes(session, user.id, now)
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
