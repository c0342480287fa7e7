"""Who is calling: the identity behind a bearer token, its role, the anonymous client."""

from dataclasses import fields
from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Table, bindparam, select

from app.auth.client_tokens import is_client_token
from app.auth.identity import ClientInfo, Identity, SignedInUser
from app.auth.models import AuthSession
from app.auth.tokens import decode_access_token
from app.config import Settings
from app.db import SessionDep, utcnow
from app.errors import Forbidden, NotAuthenticated
from app.users.models import Role, User

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/v1/auth/token",
    refreshUrl="/v1/auth/token",
    auto_error=False,
    description=(
        "Sign in at `/v1/auth/token` with e-mail and password; send the access token. Renew "
        "it at the same URL with `grant_type=refresh_token` (or `POST /v1/auth/refresh`)."
    ),
)


async def get_client_info(request: Request) -> ClientInfo:
    address = request.client.host if request.client else "unknown"
    return ClientInfo(address=address[:64], request_id=request.state.request_id)


ClientDep = Annotated[ClientInfo, Depends(get_client_info)]


USERS = cast(Table, User.__table__)
SESSIONS = cast(Table, AuthSession.__table__)
# Built once, on the tables: constructing and cache-keying it on every request cost as much
# as running it, and the ORM's entity loading as much again.
LIVE_SESSION_USER = (
    select(*(USERS.c[field.name] for field in fields(SignedInUser)))
    .join(SESSIONS, SESSIONS.c.user_id == USERS.c.id)
    .where(
        USERS.c.id == bindparam("user_id"),
        USERS.c.is_active.is_(True),
        USERS.c.erased_at.is_(None),
        SESSIONS.c.id == bindparam("session_id"),
        SESSIONS.c.revoked_at.is_(None),
        SESSIONS.c.absolute_expires_at > bindparam("now"),
    )
)


async def get_identity(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Identity:
    """The caller behind the bearer token, checked against the database on every request,
    so that logout, deactivation and password changes take effect at once (once per
    request: kept on it for whatever else asks)."""
    known: Identity | None = getattr(request.state, "identity", None)
    if known is not None:
        return known
    # The app's settings straight from the request (what `SettingsDep` gives): one
    # dependency fewer to solve on every authenticated request.
    settings: Settings = request.app.state.settings
    if not token:
        raise NotAuthenticated("Send an access token: `Authorization: Bearer <token>`.")
    claims = decode_access_token(settings, token)
    if claims is None:
        if is_client_token(settings, token):
            raise Forbidden("An integration's token reaches `/v1/integration/…` only.")
        raise NotAuthenticated("The access token is invalid or expired.")
    parameters = {"user_id": claims.user_id, "session_id": claims.session_id, "now": utcnow()}
    row = (await session.execute(LIVE_SESSION_USER, parameters)).first()
    if row is None:
        raise NotAuthenticated("The session has ended; sign in again.")
    identity = Identity(
        user=SignedInUser(*row), session_id=claims.session_id, request_id=request.state.request_id
    )
    request.state.identity = identity
    return identity


CurrentIdentity = Annotated[Identity, Depends(get_identity)]


def _role_guard(role: Role) -> object:
    # `get_identity` called, not depended on: one dependency fewer to solve on every
    # request of a role's routes (a few per cent of the entry POST's CPU). A route that
    # also takes `CurrentIdentity` gets the same identity (it is kept on the request).
    async def require_role(
        request: Request,
        session: SessionDep,
        token: Annotated[str | None, Depends(oauth2_scheme)],
    ) -> Identity:
        identity = await get_identity(request, session, token)
        if identity.user.role is not role:
            raise Forbidden(f"This operation is for {role.value} accounts only.")
        return identity

    return Depends(require_role)


ParticipantIdentity = Annotated[Identity, _role_guard(Role.participant)]
ClinicianIdentity = Annotated[Identity, _role_guard(Role.clinician)]
AdminIdentity = Annotated[Identity, _role_guard(Role.admin)]
