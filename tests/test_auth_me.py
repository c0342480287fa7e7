"""GET and PATCH /v1/me: the signed-in account, whatever its role."""

import httpx
import pytest

from app.users.models import Role
from tests.conftest import Account, Accounts


async def stored_profile(accounts: Accounts, account: Account) -> tuple[object, object]:
    rows = await accounts.sql(
        "SELECT display_name, timezone FROM users WHERE email = :email", email=account.email
    )
    return rows[0][0], rows[0][1]


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_reads_its_own_account(
    client: httpx.AsyncClient, accounts: Accounts, role: Role
) -> None:
    account = await accounts.make(role, display_name="Robin", timezone="Europe/Berlin")

    response = await client.get("/v1/me", headers=account.headers)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(account.id)
    assert body["email"] == account.email
    assert body["role"] == role.value
    assert body["display_name"] == "Robin"
    assert body["timezone"] == "Europe/Berlin"
    assert body["is_active"] is True
    assert "password_hash" not in body


async def test_update_changes_display_name_and_timezone(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    response = await client.patch(
        "/v1/me",
        json={"display_name": "  Sam Taylor ", "timezone": "America/New_York"},
        headers=account.headers,
    )

    assert response.status_code == 200
    assert response.json()["display_name"] == "Sam Taylor"
    assert response.json()["timezone"] == "America/New_York"
    assert await stored_profile(accounts, account) == ("Sam Taylor", "America/New_York")
    again = await client.get("/v1/me", headers=account.headers)
    assert again.json()["timezone"] == "America/New_York"


async def test_update_leaves_fields_that_are_not_sent_alone(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.clinician, display_name="Dr. Okafor", timezone="UTC")

    response = await client.patch(
        "/v1/me", json={"timezone": "Asia/Tokyo"}, headers=account.headers
    )

    assert response.status_code == 200
    assert await stored_profile(accounts, account) == ("Dr. Okafor", "Asia/Tokyo")


@pytest.mark.parametrize(
    "timezone", ["Mars/Olympus_Mons", "Europe/berlin ", "../../etc/passwd", "", "+02:00", "X" * 65]
)
async def test_timezone_must_be_an_iana_name(
    client: httpx.AsyncClient, accounts: Accounts, timezone: str
) -> None:
    account = await accounts.make(Role.participant, timezone="Europe/London")

    response = await client.patch("/v1/me", json={"timezone": timezone}, headers=account.headers)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["body.timezone"]
    assert (await stored_profile(accounts, account))[1] == "Europe/London"


@pytest.mark.parametrize("display_name", ["", "   ", "\t\n", "Sam\x07", "x" * 101])
async def test_display_name_must_not_be_blank_or_odd(
    client: httpx.AsyncClient, accounts: Accounts, display_name: str
) -> None:
    account = await accounts.make(Role.participant, display_name="Sam")

    response = await client.patch(
        "/v1/me", json={"display_name": display_name}, headers=account.headers
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.display_name"]
    assert (await stored_profile(accounts, account))[0] == "Sam"


async def test_update_refuses_fields_it_does_not_know(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    response = await client.patch(
        "/v1/me", json={"display_name": "Sam", "role": "admin"}, headers=account.headers
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.role"]
    rows = await accounts.sql("SELECT role FROM users WHERE email = :e", e=account.email)
    assert rows == [("participant",)]


async def test_update_cannot_change_the_email(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    response = await client.patch(
        "/v1/me", json={"email": "someone@else.example"}, headers=account.headers
    )

    assert response.status_code == 422
    assert (await client.get("/v1/me", headers=account.headers)).json()["email"] == account.email


async def test_reading_me_needs_a_token(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/me")).status_code == 401
    assert (await client.patch("/v1/me", json={"display_name": "Sam"})).status_code == 401
