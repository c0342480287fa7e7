"""Console sessions: a row of the sessions table (the staff lifetimes), carried in a cookie.

The cookie names the account and the session, with an HMAC of both under the signing key:
session ids appear in the audit trail, so the id alone must not open a session. The CSRF
token is another HMAC of the session id, so each session has its own and none is stored.
Every page slides the idle deadline, as a token refresh does for the API."""

import hashlib
import hmac
import uuid
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import case, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import credentials
from app.auth.dependencies import LIVE_SESSION_USER
from app.auth.identity import ClientInfo, Identity, SignedInUser
from app.auth.models import AuthSession
from app.auth.service import end_session
from app.auth.tokens import decode_access_token
from app.config import Settings
from app.db import utcnow
from app.errors import NotAuthenticated

COOKIE_NAME = "journal_console"
COOKIE_PATH = "/console"
CSRF_FIELD = "csrf_token"
STAFF_ROLES = frozenset({"clinician", "admin"})


class SignedOut(Exception):
    """No live console session: the page sends the browser to the sign-in form."""

    def __init__(self, ended: bool = False):
        super().__init__("signed out")
        self.ended = ended


@dataclass(frozen=True)
class ConsoleSession:
    identity: Identity
    csrf_token: str


def _mac(settings: Settings, purpose: str, value: str) -> str:
    key = settings.signing_key().encode()
    return hmac.new(key, f"console-{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def cookie_value(settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID) -> str:
    subject = f"{user_id}.{session_id}"
    return f"{subject}.{_mac(settings, 'session', subject)}"


def csrf_token_of(settings: Settings, session_id: uuid.UUID) -> str:
    return _mac(settings, "csrf", str(session_id))


def _parse_cookie(settings: Settings, value: str) -> tuple[uuid.UUID, uuid.UUID] | None:
    parts = value.split(".")
    if len(parts) != 3:
        return None
    user_id, session_id, mac = parts
    expected = _mac(settings, "session", f"{user_id}.{session_id}")
    if not hmac.compare_digest(expected.encode(), mac.encode()):
        return None
    try:
        return uuid.UUID(user_id), uuid.UUID(session_id)
    except ValueError:
        return None


async def _slide_idle_deadline(
    session: AsyncSession, settings: Settings, role: str, session_id: uuid.UUID
) -> bool:
    """Push the session's idle deadline on by the role's idle lifetime; False when the
    session is already past it (or ended)."""
    now = utcnow()
    idle, _ = settings.refresh_lifetimes(role)
    result = await session.execute(
        update(AuthSession)
        .where(
            AuthSession.id == session_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.idle_expires_at > now,
        )
        .values(
            idle_expires_at=case(
                (AuthSession.absolute_expires_at < now + idle, AuthSession.absolute_expires_at),
                else_=now + idle,
            )
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def load_console_session(
    request: Request, session: AsyncSession, settings: Settings
) -> ConsoleSession:
    """The staff member behind the console cookie, checked against the database on every
    page, so that sign-out, deactivation and password changes take effect at once.
    Raises `SignedOut` when there is none (`ended`: there was one, no longer live)."""
    value = request.cookies.get(COOKIE_NAME)
    if not value:
        raise SignedOut()
    parsed = _parse_cookie(settings, value)
    if parsed is None:
        raise SignedOut()
    user_id, session_id = parsed
    parameters = {"user_id": user_id, "session_id": session_id, "now": utcnow()}
    row = (await session.execute(LIVE_SESSION_USER, parameters)).first()
    if row is None:
        raise SignedOut(ended=True)
    user = SignedInUser(*row)
    if user.role.value not in STAFF_ROLES:
        raise SignedOut()
    if not await _slide_idle_deadline(session, settings, user.role.value, session_id):
        raise SignedOut(ended=True)
    identity = Identity(user=user, session_id=session_id, request_id=request.state.request_id)
    return ConsoleSession(identity, csrf_token_of(settings, session_id))


async def sign_in_to_console(
    session: AsyncSession, settings: Settings, client: ClientInfo, email: str, password: str
) -> str:
    """Check the credentials exactly as `POST /v1/auth/token` does (throttling, failure
    answers, audit events), staff only; the cookie value of the new session."""
    pair = await credentials.sign_in(session, settings, client, email, password, staff_only=True)
    claims = decode_access_token(settings, pair.access_token)
    if claims is None:  # just issued with the same settings: cannot happen
        raise NotAuthenticated("The session could not be started; sign in again.")
    return cookie_value(settings, claims.user_id, claims.session_id)


async def sign_out_of_console(session: AsyncSession, console: ConsoleSession) -> None:
    await end_session(session, console.identity)
