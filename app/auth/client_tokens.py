"""Integration clients' access tokens (OAuth2 client credentials), and who presents one.

A client token is a JWT like a person's access token, with its own `typ` so that neither
passes for the other. It carries the client's `secret_version`: rotating the secret or
deactivating the client ends it on the next request, because every request reads the
client row, as every person's request reads their session."""

import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.security import OAuth2
from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import select

from app.audit.service import Actor
from app.auth.models import IntegrationClient
from app.auth.tokens import ALGORITHM, decode_access_token, hash_secret
from app.config import Settings, SettingsDep
from app.db import SessionDep
from app.errors import Forbidden, NotAuthenticated

CLIENT_TOKEN_TYPE = "client"  # noqa: S105 - a claim value
CLIENT_SECRET_PURPOSE = "integration-client-secret"  # noqa: S105 - a hash purpose
# The role integrations act under in the audit trail (and the participant's access log).
INTEGRATION_ROLE = "integration"
SCOPES = {
    "entries.read": "A consenting participant's journal entries (the sync feed); notes only "
    "where the participant shares them with their care team.",
    "assessments.read": "A consenting participant's completed questionnaires.",
    "alerts.read": "A consenting participant's alerts (state and summary).",
    "fhir.read": "A consenting participant's data as FHIR R4 resources.",
    "webhooks.receive": "Webhook events about consenting participants.",
}

client_scheme = OAuth2(
    flows=OAuthFlows(
        clientCredentials=OAuthFlowClientCredentials(tokenUrl="/v1/auth/token", scopes=SCOPES)
    ),
    scheme_name="OAuth2ClientCredentials",
    description=(
        "For other systems (an EHR, a research store): `POST /v1/auth/token` with "
        "`grant_type=client_credentials` and the client's id and secret (HTTP Basic or form "
        "fields) gives a 15-minute bearer token for `/v1/integration/…`, reaching only the "
        "participants who consented to the integration."
    ),
    auto_error=False,
)


def new_client_secret() -> str:
    """256 random bits: stored as a SHA-256 hash. A slow password hash would add nothing
    against guessing a secret this long, and would cost every token request Argon2 time."""
    return "ics_" + secrets.token_urlsafe(32)


def client_secret_hash(secret: str) -> str:
    return hash_secret(CLIENT_SECRET_PURPOSE, secret)


def create_client_token(
    settings: Settings, client: IntegrationClient, scopes: list[str], now: datetime
) -> str:
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(client.id),
        "typ": CLIENT_TOKEN_TYPE,
        "scope": " ".join(scopes),
        "sv": client.secret_version,
        "iat": int(now.timestamp()),
        "exp": int((now + settings.access_token_ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.signing_key(), algorithm=ALGORITHM)


@dataclass(frozen=True)
class ClientClaims:
    client_id: uuid.UUID
    scopes: frozenset[str]
    secret_version: int


def decode_client_token(settings: Settings, token: str) -> ClientClaims | None:
    """The claims of a valid client token, or None for anything forged, expired or foreign."""
    try:
        claims = jwt.decode(
            token,
            settings.signing_key(),
            algorithms=[ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["iss", "aud", "sub", "exp", "iat", "typ", "scope", "sv"]},
        )
        if claims["typ"] != CLIENT_TOKEN_TYPE or time.time() >= float(claims["exp"]):
            return None
        scopes = frozenset(str(claims["scope"]).split())
        return ClientClaims(uuid.UUID(claims["sub"]), scopes, int(claims["sv"]))
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None


@dataclass(frozen=True)
class ClientIdentity:
    """The integration behind a client token, read with its client row on every request."""

    client_id: uuid.UUID
    name: str
    scopes: frozenset[str]  # what the token was granted and the client still holds
    request_id: str | None

    @property
    def actor(self) -> Actor:
        return Actor(None, INTEGRATION_ROLE, self.request_id, self.name, self.client_id)


class InsufficientScope(Forbidden):
    code = "insufficient-scope"
    title = "Insufficient scope"
    example = "This needs the scope `entries.read`, which the token was not granted."

    def __init__(self, scope: str):
        super().__init__(f"This needs the scope `{scope}`, which the token was not granted.")
        self.headers = {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{scope}"'}


class PersonToken(Forbidden):
    code = "not-an-integration"
    example = "This operation is for integration clients (client credentials tokens) only."


async def get_client_identity(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Depends(client_scheme)],
) -> ClientIdentity:
    """The integration behind the bearer token, checked against its client row on every
    request: deactivation and secret rotation end its tokens at once."""
    scheme, token = get_authorization_scheme_param(authorization)
    if not authorization or scheme.lower() != "bearer" or not token:
        raise NotAuthenticated("Send a client token: `Authorization: Bearer <token>`.")
    claims = decode_client_token(settings, token)
    if claims is None:
        if decode_access_token(settings, token) is not None:
            raise PersonToken("This operation is for integration clients only.")
        raise NotAuthenticated("The access token is invalid or expired.")
    statement = select(IntegrationClient.name, IntegrationClient.scopes).where(
        IntegrationClient.id == claims.client_id,
        IntegrationClient.is_active.is_(True),
        IntegrationClient.secret_version == claims.secret_version,
    )
    row = (await session.execute(statement)).first()
    if row is None:
        raise NotAuthenticated("The client's token has been revoked; request a new one.")
    held = claims.scopes & frozenset(row.scopes.split())
    return ClientIdentity(claims.client_id, row.name, held, request.state.request_id)


CurrentClient = Annotated[ClientIdentity, Depends(get_client_identity)]


def is_client_token(settings: Settings, token: str) -> bool:
    return decode_client_token(settings, token) is not None
