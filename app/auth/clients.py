"""The client credentials grant (RFC 6749 section 4.4) of `POST /v1/auth/token`.

The client authenticates with HTTP Basic or with `client_id` and `client_secret` in the
form (section 2.3.1), never both. Refusals carry RFC 6749's `error` and
`error_description` (section 5.2) besides the problem members every error of the service
has. Each attempt is counted like a sign-in, per client id and per address, before the
secret is checked (`throttle.reserve_attempt`); only a success takes the count back."""

import base64
import binascii
import hmac
import uuid
from dataclasses import dataclass
from urllib.parse import unquote_plus

from fastapi.security.utils import get_authorization_scheme_param
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.auth import throttle
from app.auth.client_tokens import client_secret_hash, create_client_token
from app.auth.identity import ClientInfo
from app.auth.models import IntegrationClient
from app.config import Settings
from app.db import utcnow
from app.errors import AppError

BASIC_CHALLENGE = 'Basic realm="wellbeing-journal", charset="UTF-8"'
# Compared against when the client is unknown, so that both paths do the same work.
_NO_SUCH_SECRET = client_secret_hash("no such client")


class OAuthError(AppError):
    """A refused token request, with RFC 6749's `error` and `error_description`."""

    error = "invalid_request"

    def __init__(
        self, detail: str, *, headers: dict[str, str] | None = None, keep_changes: bool = False
    ):
        extensions = {"error": self.error, "error_description": detail}
        super().__init__(detail, headers=headers, extensions=extensions)
        self.keep_changes = keep_changes


class InvalidClient(OAuthError):
    status, code, title = 401, "invalid-client", "Invalid client"
    example = "Unknown client, wrong secret, or the client is deactivated."
    error = "invalid_client"

    def __init__(self, detail: str = example, *, keep_changes: bool = False):
        headers = {"WWW-Authenticate": BASIC_CHALLENGE}
        super().__init__(detail, headers=headers, keep_changes=keep_changes)


class InvalidScope(OAuthError):
    status, code, title = 400, "invalid-scope", "Invalid scope"
    example = "Scope `alerts.read` is unknown or not granted to this client."
    error = "invalid_scope"


class InvalidClientRequest(OAuthError):
    status, code, title = 400, "invalid-request", "Invalid request"
    example = "Authenticate the client one way: HTTP Basic or the form, not both."
    error = "invalid_request"


@dataclass(frozen=True)
class ClientToken:
    access_token: str
    expires_in: int
    scope: str


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """The client id and secret of an `Authorization: Basic` header (each form-encoded
    before encoding, RFC 6749 section 2.3.1), None without one; invalid_client if garbled."""
    scheme, encoded = get_authorization_scheme_param(authorization)
    if not authorization or scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient("The Basic credentials are not valid base64 of id:secret.") from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise InvalidClient("The Basic credentials are not valid base64 of id:secret.")
    return unquote_plus(client_id), unquote_plus(secret)


def _requested_scopes(granted: list[str], scope: str | None) -> list[str]:
    if not scope or not scope.strip():
        return granted  # RFC 6749 section 3.3: absent means what the client was granted
    requested = list(dict.fromkeys(scope.split()))
    for name in requested:
        if name not in granted:
            raise InvalidScope(f"Scope `{name[:40]}` is unknown or not granted to this client.")
    return requested


async def _find_client(session: AsyncSession, client_id: str) -> IntegrationClient | None:
    try:
        key = uuid.UUID(client_id)
    except ValueError:
        return None
    statement = select(IntegrationClient).where(IntegrationClient.id == key)
    return (await session.execute(statement)).scalar_one_or_none()


async def grant_client_token(
    session: AsyncSession,
    settings: Settings,
    caller: ClientInfo,
    credentials: tuple[str | None, str | None],
    basic: tuple[str, str] | None,
    scope: str | None,
) -> ClientToken:
    """A 15-minute client token for the scopes asked for (all granted ones by default)."""
    if basic is not None and any(credentials):
        raise InvalidClientRequest(InvalidClientRequest.example)
    client_id, secret = basic or credentials
    if not client_id or not secret:
        raise InvalidClient("Authenticate the client: HTTP Basic, or client_id and client_secret.")
    now = utcnow()
    attempt = await throttle.reserve_attempt(
        session, settings, f"client:{client_id[:100]}", caller.address, now
    )
    client = await _find_client(session, client_id)
    expected = client.secret_hash if client is not None else _NO_SUCH_SECRET
    secret_ok = hmac.compare_digest(expected, client_secret_hash(secret))
    if client is None or not secret_ok or not client.is_active:
        await record_event(
            session,
            Actor(None, "integration", caller.request_id),
            AuditAction.client_token,
            subject_id=client.id if client is not None else None,
            outcome="failure",
        )
        raise InvalidClient(keep_changes=True)
    scopes = _requested_scopes(client.scopes.split(), scope)
    await throttle.release_attempt(session, attempt)
    actor = Actor(None, "integration", caller.request_id, client.name)
    await record_event(session, actor, AuditAction.client_token, subject_id=client.id)
    token = create_client_token(settings, client, scopes, now)
    return ClientToken(token, int(settings.access_token_ttl.total_seconds()), " ".join(scopes))
