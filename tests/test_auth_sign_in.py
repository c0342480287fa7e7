"""Sign-in over the OAuth2 password form: tokens, look-alike failures, throttling, audit, logs."""

from collections.abc import Callable

import httpx
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import update

from app.auth.passwords import normalize_password
from app.users.models import Role, User
from tests.conftest import TEST_PASSWORD, Accounts, ServeApp, sign_in

WRONG_PASSWORD = "definitely not the password 77"


async def test_sign_in_returns_a_bearer_token_pair_that_is_not_cached(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)

    response = await sign_in(client, account.email)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "expires_in",
        "refresh_token",
        "refresh_expires_in",
    }
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["refresh_expires_in"] == 30 * 24 * 3600
    assert response.headers["cache-control"] == "no-store"
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == str(account.id)


async def test_a_hash_made_with_older_argon2_parameters_is_replaced_at_sign_in(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)
    older_hash = PasswordHash((Argon2Hasher(time_cost=3, memory_cost=65536, parallelism=4),))
    await accounts.execute(
        update(User)
        .where(User.id == account.id)
        .values(password_hash=older_hash.hash(normalize_password(TEST_PASSWORD)))
    )

    assert (await sign_in(client, account.email, WRONG_PASSWORD)).status_code == 401
    [(unchanged,)] = await accounts.sql(
        "SELECT password_hash FROM users WHERE id = :id", id=account.id.hex
    )
    assert "m=65536,t=3,p=4" in str(unchanged)
    assert (await sign_in(client, account.email)).status_code == 200

    [(stored,)] = await accounts.sql(
        "SELECT password_hash FROM users WHERE id = :id", id=account.id.hex
    )
    assert "m=19456,t=2,p=1" in str(stored)
    assert (await sign_in(client, account.email)).status_code == 200


async def test_staff_sessions_get_short_refresh_lifetimes(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    clinician = await accounts.make(Role.clinician, signed_in=False)

    response = await sign_in(client, clinician.email)

    assert response.status_code == 200
    assert response.json()["refresh_expires_in"] == 30 * 60


async def test_sign_in_ignores_the_case_and_surrounding_spaces_of_the_email(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)

    response = await sign_in(client, f"  {account.email.upper()} ")

    assert response.status_code == 200


async def test_unknown_email_wrong_password_and_deactivated_account_look_the_same(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    known = await accounts.make(Role.participant, signed_in=False)
    deactivated = await accounts.make(Role.participant, signed_in=False)
    await accounts.execute(update(User).where(User.id == deactivated.id).values(is_active=False))

    answers = [
        await sign_in(client, "nobody-here@example.org"),
        await sign_in(client, known.email, WRONG_PASSWORD),
        await sign_in(client, deactivated.email),  # the right password
    ]

    assert [answer.status_code for answer in answers] == [401, 401, 401]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0].json()["detail"] == "Incorrect e-mail or password."
    for answer in answers:
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"] == "Bearer"


async def test_eleventh_attempt_within_the_window_is_throttled_even_with_the_right_password(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)
    for _ in range(10):
        assert (await sign_in(client, account.email, WRONG_PASSWORD)).status_code == 401

    response = await sign_in(client, account.email)

    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 429
    assert 1 <= int(response.headers["retry-after"]) <= 15 * 60
    assert await accounts.count("auth_sessions") == 0


async def test_failures_of_another_email_do_not_throttle_an_account(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)
    await accounts.record_login_failures("someone-else@example.org", 10, minutes_ago=1)

    assert (await sign_in(client, account.email)).status_code == 200


async def test_failures_older_than_the_window_no_longer_count(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)
    await accounts.record_login_failures(account.email, 10, minutes_ago=16)
    assert (await sign_in(client, account.email)).status_code == 200

    await accounts.record_login_failures(account.email, 10, minutes_ago=14)
    throttled = await sign_in(client, account.email)
    assert throttled.status_code == 429
    # The oldest counted failure leaves the window in about a minute.
    assert 55 <= int(throttled.headers["retry-after"]) <= 65


async def test_too_many_failures_from_one_address_throttle_every_email(
    serve_app: ServeApp,
) -> None:
    async with serve_app(login_max_failures_per_address=3) as served:
        account = await served.accounts.make(Role.participant, signed_in=False)
        for number in range(3):
            failed = await sign_in(served.client, f"guess-{number}@example.org", WRONG_PASSWORD)
            assert failed.status_code == 401

        response = await sign_in(served.client, account.email)

        assert response.status_code == 429
        assert int(response.headers["retry-after"]) >= 1
        assert response.json()["status"] == 429


async def test_a_failure_clears_expired_failures_of_its_address(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    for number in range(5):
        await accounts.record_login_failures(
            f"guess-{number}@example.org", 1, minutes_ago=20, address="127.0.0.1"
        )
    await accounts.record_login_failures("recent@example.org", 1, address="127.0.0.1")

    assert (await sign_in(client, "someone@example.org", WRONG_PASSWORD)).status_code == 401

    assert await accounts.count("login_failures") == 2


async def test_sign_ins_are_audited_without_email_or_password(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)

    assert (await sign_in(client, account.email, WRONG_PASSWORD)).status_code == 401
    assert (await sign_in(client, account.email)).status_code == 200

    rows = await accounts.sql(
        "SELECT action, outcome, actor_id, subject_id, request_id FROM audit_events ORDER BY id"
    )
    assert [(row[0], row[1]) for row in rows] == [
        ("auth.sign_in", "failure"),
        ("auth.sign_in", "success"),
    ]
    failure, success = rows
    assert failure[2] is None  # nobody was signed in
    assert str(failure[3]).replace("-", "") == account.id.hex
    assert str(success[2]).replace("-", "") == account.id.hex
    assert all(row[4] for row in rows)  # the request id
    everything = repr(await accounts.sql("SELECT * FROM audit_events"))
    everything += repr(await accounts.sql("SELECT * FROM login_failures"))
    for secret in (account.email, account.email.split("@")[0], TEST_PASSWORD, WRONG_PASSWORD):
        assert secret not in everything


async def test_logs_never_contain_passwords_tokens_or_emails(
    client: httpx.AsyncClient, accounts: Accounts, emitted_logs: Callable[[], str]
) -> None:
    account = await accounts.make(Role.participant, signed_in=False)

    failed = await sign_in(client, account.email, WRONG_PASSWORD)
    signed_in = await sign_in(client, account.email)
    tokens = signed_in.json()
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}
    )
    changed = await client.post(
        "/v1/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "short"},
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )

    assert (failed.status_code, signed_in.status_code) == (401, 200)
    assert (refreshed.status_code, changed.status_code) == (200, 422)
    logs = emitted_logs()
    assert '"route": "/v1/auth/token"' in logs  # the access log is there ...
    secrets = [
        account.email,
        TEST_PASSWORD,
        WRONG_PASSWORD,
        tokens["access_token"],
        tokens["refresh_token"],
        refreshed.json()["access_token"],
        refreshed.json()["refresh_token"],
    ]
    for secret in secrets:  # ... and no secret
        assert secret not in logs
