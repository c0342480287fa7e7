"""The password policy (NIST SP 800-63B-4), at activation and at a password change."""

import unicodedata

import httpx
import pytest

from app.users.models import Role
from tests.conftest import TEST_PASSWORD, Account, Accounts, sign_in

# 64 code points of mixed scripts, accents and an emoji: any Unicode is allowed.
UNICODE_PASSPHRASE = "Ünïcødé pässphrâse — 静かな川辺を夜明けに歩く 🌅 und grüne Äpfel im Körbchen!"

WEAK_PASSWORDS = [
    pytest.param("short but fine", "password-too-short", id="14-characters"),
    pytest.param(
        ("wandering otters juggle teal umbrellas " * 30)[:1025], "password-too-long", id="1025"
    ),
    pytest.param("passwordpassword123", "password-too-weak", id="common"),
    pytest.param("aaaaaaaaaaaaaaaaaaaaaaaa", "password-too-weak", id="repeated"),
    pytest.param("qwertyuiopasdfghjkl", "password-too-weak", id="keyboard-row"),
    pytest.param("12345678901234567890", "password-too-weak", id="number-sequence"),
    pytest.param("abcdefghijklmnopqrstu", "password-too-weak", id="alphabet-sequence"),
]


async def activate(client: httpx.AsyncClient, accounts: Accounts, password: str) -> httpx.Response:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)
    code = await accounts.issue_activation_code(account.id)
    return await client.post(
        "/v1/auth/activate",
        json={"email": account.email, "activation_code": code, "password": password},
    )


async def change_password(
    client: httpx.AsyncClient, account: Account, new_password: str
) -> httpx.Response:
    return await client.post(
        "/v1/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": new_password},
        headers=account.headers,
    )


def assert_refused(response: httpx.Response, field: str, code: str) -> None:
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert [(error["field"], error["code"]) for error in problem["errors"]] == [(field, code)]
    assert problem["errors"][0]["message"]


def test_the_unicode_passphrase_is_64_characters() -> None:
    assert len(UNICODE_PASSPHRASE) == 64


@pytest.mark.parametrize(("password", "code"), WEAK_PASSWORDS)
async def test_activation_refuses_a_weak_password(
    client: httpx.AsyncClient, accounts: Accounts, password: str, code: str
) -> None:
    response = await activate(client, accounts, password)

    assert_refused(response, "body.password", code)
    assert await accounts.count("auth_sessions") == 0


@pytest.mark.parametrize(("password", "code"), WEAK_PASSWORDS)
async def test_password_change_refuses_a_weak_password(
    client: httpx.AsyncClient, accounts: Accounts, password: str, code: str
) -> None:
    account = await accounts.make(Role.participant)

    response = await change_password(client, account, password)

    assert_refused(response, "body.new_password", code)


async def test_password_containing_the_email_is_refused(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    response = await change_password(client, account, account.email)

    assert_refused(response, "body.new_password", "password-too-weak")


async def test_activation_accepts_a_64_character_unicode_passphrase(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant, signed_in=False, activated=False)
    code = await accounts.issue_activation_code(account.id)

    response = await client.post(
        "/v1/auth/activate",
        json={"email": account.email, "activation_code": code, "password": UNICODE_PASSPHRASE},
    )

    assert response.status_code == 200
    assert (await sign_in(client, account.email, UNICODE_PASSPHRASE)).status_code == 200


async def test_password_change_accepts_a_64_character_unicode_passphrase(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    response = await change_password(client, account, UNICODE_PASSPHRASE)

    assert response.status_code == 204
    # The same passphrase typed on a keyboard that composes accents differently still works.
    decomposed = unicodedata.normalize("NFD", UNICODE_PASSPHRASE)
    assert decomposed != UNICODE_PASSPHRASE
    assert (await sign_in(client, account.email, decomposed)).status_code == 200


async def test_a_1024_character_password_is_accepted_and_used_whole(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    long_password = ("wandering otters juggle teal umbrellas " * 30)[:1024]

    assert (await change_password(client, account, long_password)).status_code == 204

    # Not truncated: a password that differs only after the 72nd character is wrong.
    almost = long_password[:-1] + "#"
    assert (await sign_in(client, account.email, almost)).status_code == 401
    assert (await sign_in(client, account.email, long_password)).status_code == 200
