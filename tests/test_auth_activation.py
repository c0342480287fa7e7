"""Activation: a one-time code sets the password of a new (or reset) account."""

from datetime import timedelta

import httpx
from sqlalchemy import update

from app.auth.models import ActivationCode
from app.db import utcnow
from app.users.models import Role, User
from tests.conftest import TEST_PASSWORD, Accounts, sign_in

NEW_PASSWORD = "a quiet walk along the river at dawn"


async def activate(
    client: httpx.AsyncClient, email: str, code: str, password: str = NEW_PASSWORD
) -> httpx.Response:
    return await client.post(
        "/v1/auth/activate",
        json={"email": email, "activation_code": code, "password": password},
    )


async def password_hash_of(accounts: Accounts, email: str) -> object:
    rows = await accounts.sql("SELECT password_hash FROM users WHERE email = :email", email=email)
    return rows[0][0]


async def test_new_account_activates_signs_in_refreshes_and_logs_out(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)
    code = await accounts.issue_activation_code(account.id)

    activated = await activate(client, account.email, code)

    assert activated.status_code == 200
    assert activated.headers["cache-control"] == "no-store"
    first = activated.json()
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {first['access_token']}"})
    assert me.json()["email"] == account.email
    signed_in = await sign_in(client, account.email, NEW_PASSWORD)
    assert signed_in.status_code == 200
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refresh_token": signed_in.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200
    access = {"Authorization": f"Bearer {refreshed.json()['access_token']}"}
    assert (await client.post("/v1/auth/logout", headers=access)).status_code == 204
    assert (await client.get("/v1/me", headers=access)).status_code == 401
    assert ("auth.activate", "success") in await accounts.audit_actions()


async def test_an_account_without_a_password_cannot_sign_in(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)

    response = await sign_in(client, account.email, "")
    assert response.status_code == 422  # an empty password is not even a sign-in attempt
    response = await sign_in(client, account.email, NEW_PASSWORD)
    assert response.status_code == 401


async def test_activation_code_works_only_once(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)
    code = await accounts.issue_activation_code(account.id)
    assert (await activate(client, account.email, code)).status_code == 200
    stored = await password_hash_of(accounts, account.email)

    again = await activate(client, account.email, code, "another long passphrase for a thief")

    assert again.status_code == 401
    assert again.headers["content-type"] == "application/problem+json"
    assert await password_hash_of(accounts, account.email) == stored


async def test_expired_activation_code_is_refused(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)
    code = await accounts.issue_activation_code(account.id)
    await accounts.execute(
        update(ActivationCode)
        .where(ActivationCode.user_id == account.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )

    response = await activate(client, account.email, code)

    assert response.status_code == 401
    assert await password_hash_of(accounts, account.email) is None
    assert await accounts.count("auth_sessions") == 0


async def test_a_fresh_code_replaces_the_earlier_one(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)
    first = await accounts.issue_activation_code(account.id)
    second = await accounts.issue_activation_code(account.id)

    assert (await activate(client, account.email, first)).status_code == 401
    assert (await activate(client, account.email, second)).status_code == 200


async def test_code_is_accepted_in_lower_case_without_dashes(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.clinician, signed_in=False, activated=False)
    code = await accounts.issue_activation_code(account.id)

    response = await activate(client, account.email.upper(), code.replace("-", "").lower())

    assert response.status_code == 200


async def test_code_of_another_account_is_refused(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    owner = await accounts.make(Role.participant, signed_in=False, activated=False)
    other = await accounts.make(Role.participant, signed_in=False, activated=False)
    code = await accounts.issue_activation_code(owner.id)

    assert (await activate(client, other.email, code)).status_code == 401
    assert (await activate(client, owner.email, code)).status_code == 200


async def test_deactivated_account_cannot_activate(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)
    code = await accounts.issue_activation_code(account.id)
    await accounts.execute(update(User).where(User.id == account.id).values(is_active=False))

    assert (await activate(client, account.email, code)).status_code == 401


async def test_unknown_email_and_wrong_code_look_the_same(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)
    await accounts.issue_activation_code(account.id)

    unknown = await activate(client, "nobody-here@example.org", "ABCD-EFGH-JKMN")
    wrong = await activate(client, account.email, "ABCD-EFGH-JKMN")

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


async def test_wrong_codes_count_toward_throttling(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)
    code = await accounts.issue_activation_code(account.id)
    for _ in range(10):
        assert (await activate(client, account.email, "WRNG-WRNG-WRNG")).status_code == 401

    response = await activate(client, account.email, code)

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert await password_hash_of(accounts, account.email) is None
    failures = [row for row in await accounts.audit_actions() if row[0] == "auth.activate"]
    assert failures == [("auth.activate", "failure")] * 10


async def test_wrong_codes_also_throttle_sign_in_for_that_email(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)
    for _ in range(10):
        assert (await activate(client, account.email, "WRNG-WRNG-WRNG")).status_code == 401

    assert (await sign_in(client, account.email, TEST_PASSWORD)).status_code == 429


async def test_reactivation_with_a_fresh_code_ends_existing_sessions(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    code = await accounts.issue_activation_code(account.id)

    response = await activate(client, account.email, code)

    assert response.status_code == 200
    assert (await client.get("/v1/me", headers=account.headers)).status_code == 401
    assert (await sign_in(client, account.email, TEST_PASSWORD)).status_code == 401
    assert (await sign_in(client, account.email, NEW_PASSWORD)).status_code == 200


async def test_weak_password_keeps_the_code_usable(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)
    code = await accounts.issue_activation_code(account.id)

    weak = await activate(client, account.email, code, "passwordpassword123")

    assert weak.status_code == 422
    assert (await activate(client, account.email, code)).status_code == 200
