"""Access tokens (JWT, HS256 pinned) and opaque secrets (refresh tokens, activation codes)."""

import base64
import functools
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import jwt

from app.config import Settings

ALGORITHM = "HS256"
ACCESS_TOKEN_TYPE = "access"  # noqa: S105 - a claim value
_ACTIVATION_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U
_ACTIVATION_LENGTH = 12  # 30^12 ≈ 2^59 possibilities


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID


def create_access_token(
    settings: Settings,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    now: datetime,
    token_id: str | None = None,
) -> str:
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": str(user_id),
        "sid": str(session_id),
        "typ": ACCESS_TOKEN_TYPE,
        "iat": int(now.timestamp()),
        "exp": int((now + settings.access_token_ttl).timestamp()),
        "jti": token_id or uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.signing_key(), algorithm=ALGORITHM)


def decode_access_token(settings: Settings, token: str) -> AccessClaims | None:
    """The claims of a valid access token, or None for anything forged, expired or foreign."""
    try:
        claims, expires_at = _verify_access_token(
            settings.signing_key(), settings.jwt_audience, settings.jwt_issuer, token
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None
    return claims if time.time() < expires_at else None


# A client sends the same token with every request for its whole lifetime: a good token's
# signature and claims are checked once per process (they were a tenth of an entry POST's
# CPU), its expiry on every use, and the session behind it in the database as always.
# Refusals raise, so they are not cached (a token refused for clock skew may pass later).
@functools.lru_cache(maxsize=4096)
def _verify_access_token(
    key: str, audience: str, issuer: str, token: str
) -> tuple[AccessClaims, float]:
    claims = jwt.decode(
        token,
        key,
        algorithms=[ALGORITHM],
        audience=audience,
        issuer=issuer,
        options={"require": ["iss", "aud", "sub", "exp", "iat", "jti", "sid", "typ"]},
    )
    if claims["typ"] != ACCESS_TOKEN_TYPE:
        raise jwt.InvalidTokenError("not an access token")
    return AccessClaims(uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])), float(claims["exp"])


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(32)


def successor_refresh_token(key: str, refresh_token: str) -> str:
    """The refresh token that rotating `refresh_token` hands out: derived from it with the
    signing key (HMAC-SHA256), so that a retry of a refresh whose answer was lost can be
    answered with the same pair although only hashes are stored. Unguessable without the
    key, and looks like any other refresh token."""
    digest = hmac.new(key.encode(), b"refresh-successor:" + refresh_token.encode(), "sha256")
    return "rt_" + base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def paired_access_token_id(refresh_token_hash: str) -> str:
    """The `jti` of the access token issued with a refresh token (by the latter's hash): fixed
    by it, so that the pair a retried refresh gets back is byte for byte the first one."""
    return refresh_token_hash[:32]


def new_activation_code() -> str:
    raw = "".join(secrets.choice(_ACTIVATION_ALPHABET) for _ in range(_ACTIVATION_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _ACTIVATION_LENGTH, 4))


def normalize_activation_code(code: str) -> str:
    return code.replace("-", "").replace(" ", "").upper()


def hash_secret(purpose: str, secret: str) -> str:
    """Hash of a high-entropy secret, bound to its purpose so one kind cannot pass for another."""
    return hashlib.sha256(f"{purpose}:{secret}".encode()).hexdigest()
