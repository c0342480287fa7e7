"""Bearer tokens: anything forged, expired, foreign or of the wrong kind is 401."""

import asyncio
import base64
import json
import uuid
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from app.users.models import Role
from tests.conftest import SECRET_KEY, Account, Accounts

Claims = dict[str, Any]


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(token: str) -> Claims:
    claims: Claims = jwt.decode(token, options={"verify_signature": False})
    return claims


def signed(claims: Claims, key: str = SECRET_KEY, algorithm: str = "HS256") -> str:
    with warnings.catch_warnings():
        # The forger does not care that the key is short for HS512.
        warnings.simplefilter("ignore", jwt.warnings.InsecureKeyLengthWarning)
        return jwt.encode(claims, key, algorithm=algorithm)


def with_claims(token: str, **changes: Any) -> str:
    """The same claims, changed, and properly signed with the real key."""
    claims = claims_of(token) | changes
    return signed({name: value for name, value in claims.items() if value is not None})


def unsigned(token: str) -> str:
    header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{token.split('.')[1]}."


def tampered(token: str) -> str:
    """A claim changed, the payload re-encoded, and the old signature kept."""
    header, _, signature = token.split(".")
    claims = claims_of(token) | {"exp": claims_of(token)["exp"] + 86400}
    return f"{header}.{b64(json.dumps(claims).encode())}.{signature}"


def expired(token: str) -> str:
    past = datetime.now(UTC) - timedelta(minutes=20)
    return with_claims(
        token, iat=int(past.timestamp()), exp=int((past + timedelta(minutes=15)).timestamp())
    )


FORGERIES: dict[str, Callable[[str], str]] = {
    "alg-none": unsigned,
    "tampered-claims": tampered,
    "wrong-signing-key": lambda token: signed(claims_of(token), "an-attacker-key-" * 4),
    "hs512-with-the-real-key": lambda token: signed(claims_of(token), algorithm="HS512"),
    "wrong-audience": lambda token: with_claims(token, aud="another-api"),
    "wrong-issuer": lambda token: with_claims(token, iss="someone-else"),
    "expired": expired,
    "missing-sid": lambda token: with_claims(token, sid=None),
    "missing-jti": lambda token: with_claims(token, jti=None),
    "missing-exp": lambda token: with_claims(token, exp=None),
    "missing-sub": lambda token: with_claims(token, sub=None),
    "sub-not-a-uuid": lambda token: with_claims(token, sub="admin"),
    "unknown-session": lambda token: with_claims(token, sid=str(uuid.uuid4())),
    "refresh-type": lambda token: with_claims(token, typ="refresh"),
    "garbage": lambda _token: "not-a-jwt",
    "truncated": lambda token: token[:-5],
}


def assert_bearer_challenge(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 401


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
async def test_forged_access_token_is_401(
    client: httpx.AsyncClient, accounts: Accounts, forge: Callable[[str], str]
) -> None:
    account = await accounts.make(Role.admin)
    assert (await client.get("/v1/me", headers=account.headers)).status_code == 200

    response = await client.get(
        "/v1/me", headers={"Authorization": f"Bearer {forge(account.access_token)}"}
    )

    assert_bearer_challenge(response)


async def test_token_naming_another_user_with_my_session_is_401(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    attacker = await accounts.make(Role.participant)
    victim = await accounts.make(Role.participant)

    forged = with_claims(attacker.access_token, sub=str(victim.id))
    response = await client.get("/v1/me", headers={"Authorization": f"Bearer {forged}"})

    assert_bearer_challenge(response)


async def test_refresh_token_used_as_an_access_token_is_401(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    response = await client.get(
        "/v1/me", headers={"Authorization": f"Bearer {account.refresh_token}"}
    )

    assert_bearer_challenge(response)


async def test_access_token_used_as_a_refresh_token_is_401(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    response = await client.post(
        "/v1/auth/refresh", json={"refresh_token": account.access_token[:200]}
    )

    assert_bearer_challenge(response)
    assert await accounts.count("refresh_tokens") == 1


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"],
    ids=["missing", "empty", "scheme-only", "scheme-and-space", "basic", "other-scheme"],
)
async def test_missing_or_non_bearer_credentials_are_401_with_a_challenge(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = await client.get("/v1/me", headers=headers)

    assert_bearer_challenge(response)


async def test_a_valid_token_is_accepted(client: httpx.AsyncClient, accounts: Accounts) -> None:
    account: Account = await accounts.make(Role.clinician)

    response = await client.get("/v1/me", headers=account.headers)

    assert response.status_code == 200
    assert response.json()["role"] == "clinician"
    claims = claims_of(account.access_token)
    assert claims["typ"] == "access"
    assert jwt.get_unverified_header(account.access_token)["alg"] == "HS256"


async def test_a_token_accepted_before_is_refused_once_it_expires(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    issued = datetime.now(UTC) - timedelta(minutes=1)
    short_lived = with_claims(
        account.access_token,
        iat=int(issued.timestamp()),
        exp=int(datetime.now(UTC).timestamp()) + 2,
    )
    headers = {"Authorization": f"Bearer {short_lived}"}
    assert (await client.get("/v1/me", headers=headers)).status_code == 200

    await asyncio.sleep(3)

    assert_bearer_challenge(await client.get("/v1/me", headers=headers))
