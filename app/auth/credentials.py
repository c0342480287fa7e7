"""Checking credentials: sign-in, activation with a one-time code, password change.

Each attempt takes a place in the bounded hashing queue first (`hashing_slot`: 503 when
full), then is counted as a failed attempt before its secret is checked
(`throttle.reserve_attempt`: 429 past the limits), and only a success takes that count back.
"""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.auth import throttle
from app.auth.clients import ClientToken, basic_credentials, grant_client_token
from app.auth.identity import ClientInfo, Identity
from app.auth.models import ActivationCode
from app.auth.passwords import (
    check_password_policy,
    hash_password,
    hashing_slot,
    verify_and_update_password,
    verify_password,
)
from app.auth.schemas import TokenRequest
from app.auth.service import (
    ACTIVATION_PURPOSE,
    TokenPair,
    find_user_by_email,
    participant_of,
    refresh_session,
    revoke_user_sessions,
    start_session,
    withdraw_activation_codes,
)
from app.auth.tokens import hash_secret, normalize_activation_code
from app.config import Settings
from app.db import utcnow
from app.errors import Conflict, FieldError, InvalidInput, NotAuthenticated
from app.users.emails import normalize_email
from app.users.models import User


async def _fail(
    session: AsyncSession, client: ClientInfo, action: AuditAction, user: User | None, detail: str
) -> NotAuthenticated:
    # The attempt's reservation stays: it is the counted failure.
    await record_event(
        session,
        client.anonymous_actor,
        action,
        subject_id=user.id if user else None,
        participant_id=participant_of(user) if user else None,
        outcome="failure",
    )
    return NotAuthenticated(detail, keep_changes=True)


async def _publish_reservation(session: AsyncSession) -> None:
    # Committed before the slow check, for two reasons. Concurrent attempts must count this
    # one (on PostgreSQL they see it only once committed, and the bucket locks end with the
    # transaction). And Argon2 must hold no database connection meanwhile (on SQLite, the
    # only one and its write lock; measured: a burst of 8 failed sign-ins stalled a
    # concurrent `GET /v1/me` for 3 s).
    await session.commit()


STAFF_ONLY_REFUSAL = "This console is for clinic staff; participants use the app."


async def sign_in(
    session: AsyncSession,
    settings: Settings,
    client: ClientInfo,
    email: str,
    password: str,
    *,
    staff_only: bool = False,
) -> TokenPair:
    """Check the credentials and open a session. Unknown e-mail, wrong password and
    deactivated account look the same, and cost the same time (an unknown e-mail is
    checked against a dummy hash). A success withdraws the account's unused activation
    codes: whoever signs in with the password no longer needs one.

    `staff_only` (the console): any account but a clinician's or an admin's is refused
    after the check, as a failed sign-in, and gets no session."""
    now = utcnow()
    email = normalize_email(email)
    async with hashing_slot(settings.password_hashing_queue_max, client.address):
        attempt = await throttle.reserve_attempt(session, settings, email, client.address, now)
        found = await find_user_by_email(session, email)
        checked_id, password_hash = (found.id, found.password_hash) if found else (None, None)
        await _publish_reservation(session)
        password_ok, updated_hash = await verify_and_update_password(password, password_hash)
    # Read again after the wait (the account may have changed meanwhile), known or not,
    # so that both paths issue the same statements.
    user = await find_user_by_email(session, email)
    if user is not None and (user.id != checked_id or user.password_hash != password_hash):
        password_ok = False  # what was checked is no longer this account's password
    if user is None or not password_ok or not user.is_active or user.erased_at is not None:
        raise await _fail(
            session, client, AuditAction.sign_in, user, "Incorrect e-mail or password."
        )
    if staff_only and user.role.value not in ("clinician", "admin"):
        raise await _fail(session, client, AuditAction.sign_in, user, STAFF_ONLY_REFUSAL)
    await throttle.release_attempt(session, attempt)
    await withdraw_activation_codes(session, user.id, now)
    if updated_hash is not None:
        user.password_hash = updated_hash  # hashed with older Argon2 parameters
    await record_event(
        session,
        Actor(user.id, user.role.value, client.request_id),
        AuditAction.sign_in,
        participant_id=participant_of(user),
    )
    return await start_session(session, settings, user, now)


def _require(form: TokenRequest, *names: str) -> None:
    missing = [name for name in names if getattr(form, name) is None]
    if missing:
        problem = InvalidInput(f"body.{missing[0]}", "Field required", "missing")
        problem.errors = [
            FieldError(field=f"body.{name}", message="Field required", code="missing")
            for name in missing
        ]
        raise problem


async def grant_tokens(
    session: AsyncSession,
    settings: Settings,
    client: ClientInfo,
    form: TokenRequest,
    authorization: str | None = None,
) -> TokenPair | ClientToken:
    """The token endpoint: sign in with e-mail and password, rotate a refresh token
    (exactly as `POST /v1/auth/refresh`), or an integration's client credentials grant. A
    refused grant is `401` and, for OAuth2 client libraries, carries RFC 6749's `error`."""
    if form.grant_type == "client_credentials":
        basic = basic_credentials(authorization)
        sent = (form.client_id, form.client_secret)
        return await grant_client_token(session, settings, client, sent, basic, form.scope)
    try:
        if form.grant_type == "refresh_token":
            _require(form, "refresh_token")
            assert form.refresh_token is not None  # noqa: S101 - checked just above
            return await refresh_session(session, settings, client, form.refresh_token)
        _require(form, "username", "password")
        assert form.username is not None and form.password is not None  # noqa: S101
        return await sign_in(session, settings, client, form.username, form.password)
    except NotAuthenticated as refused:
        refused.extensions.setdefault("error", "invalid_grant")
        raise


async def _find_activation(
    session: AsyncSession, user: User | None, code: str, now: datetime
) -> ActivationCode | None:
    if user is None or not user.is_active or user.erased_at is not None:
        return None
    result = await session.execute(
        select(ActivationCode).where(
            ActivationCode.code_hash
            == hash_secret(ACTIVATION_PURPOSE, normalize_activation_code(code)),
            ActivationCode.user_id == user.id,
            ActivationCode.used_at.is_(None),
            ActivationCode.expires_at > now,
        )
    )
    return result.scalar_one_or_none()


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
    email = normalize_email(email)
    async with hashing_slot(settings.password_hashing_queue_max, client.address):
        await throttle.reserve_attempt(session, settings, email, client.address, now)
        user = await find_user_by_email(session, email)
        activation = await _find_activation(session, user, code, now)
        if user is None or activation is None:
            raise await _fail(
                session,
                client,
                AuditAction.activation,
                user,
                "Incorrect e-mail or activation code, or the code has expired.",
            )
        user_id, code_hash = user.id, activation.code_hash
        await check_password_policy(
            password, "body.password", [user.email, user.display_name, "journal", "wellbeing"]
        )
        # The code is right, so the attempt is no failure: rolling back takes the
        # reservation back, and lets the hashing hold no database connection (see sign_in).
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
        participant_id=participant_of(user),
    )
    return await start_session(session, settings, user, now)


async def _wrong_current_password(session: AsyncSession, identity: Identity) -> InvalidInput:
    await record_event(
        session,
        identity.actor,
        AuditAction.password_change,
        participant_id=participant_of(identity.user),
        outcome="failure",
    )
    wrong = InvalidInput(
        "body.current_password", "The current password is incorrect.", "wrong-password"
    )
    wrong.keep_changes = True  # the counted failure and its audit event stay
    return wrong


async def change_password(
    session: AsyncSession,
    settings: Settings,
    client: ClientInfo,
    identity: Identity,
    current_password: str,
    new_password: str,
) -> None:
    """Replace the password; every other session of the account ends, and its unused
    activation codes stop working.

    A wrong current password counts as a failed sign-in of the account (and is throttled
    the same way), so that a stolen access token cannot be used to guess the password."""
    user = await session.get_one(User, identity.user.id)
    now = utcnow()
    user_id, checked_hash = user.id, user.password_hash
    user_inputs = [user.email, user.display_name, current_password]
    async with hashing_slot(settings.password_hashing_queue_max, client.address):
        attempt = await throttle.reserve_attempt(session, settings, user.email, client.address, now)
        await _publish_reservation(session)
        current_ok = await verify_password(current_password, checked_hash)
        if current_ok:
            try:
                await check_password_policy(new_password, "body.new_password", user_inputs)
            except InvalidInput as weak:
                await throttle.release_attempt(session, attempt)  # the right current password
                weak.keep_changes = True
                raise
            new_hash = await hash_password(new_password)
    if not current_ok:
        raise await _wrong_current_password(session, identity)
    await throttle.release_attempt(session, attempt)
    user = await session.get_one(User, user_id, populate_existing=True)
    if user.password_hash != checked_hash:
        changed = Conflict("The password was changed at the same time; sign in again.")
        changed.keep_changes = True  # only the attempt's release
        raise changed
    user.password_hash = new_hash
    await revoke_user_sessions(session, user.id, keep=identity.session_id)
    await withdraw_activation_codes(session, user.id, now)
    await record_event(
        session,
        identity.actor,
        AuditAction.password_change,
        participant_id=participant_of(user),
    )
