"""Admin account management over HTTP: create, activate, list, read, change, deactivate."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from app.audit.models import AuditEvent
from app.db import utcnow
from app.users.models import Role, User
from tests.conftest import TEST_PASSWORD, Account, Accounts

PASSPHRASE = "a quiet walk along the river at dawn"
PROBLEM = "application/problem+json"


async def count_rows(app: FastAPI, model: type[Any]) -> int:
    async with app.state.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def audit_events(app: FastAPI) -> list[AuditEvent]:
    async with app.state.sessionmaker() as session:
        return list((await session.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars())


async def erase(app: FastAPI, user_id: uuid.UUID) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.id == user_id).values(erased_at=utcnow()))


async def create(
    client: httpx.AsyncClient, admin: Account, **fields: Any
) -> tuple[httpx.Response, dict[str, Any]]:
    body = {"email": f"new-{uuid.uuid4().hex[:8]}@example.org", "role": "participant"}
    body |= {"display_name": "New Person"} | fields
    response = await client.post("/v1/admin/users", json=body, headers=admin.headers)
    return response, body


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/v1/auth/token", data={"username": email, "password": password})


async def test_created_account_activates_with_its_code_and_signs_in(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    response, body = await create(
        client, admin, role="clinician", display_name="Dr. New", timezone="Europe/Berlin"
    )

    assert response.status_code == 201, response.text
    created = response.json()
    user = created["user"]
    assert response.headers["location"] == f"/v1/admin/users/{user['id']}"
    assert user["email"] == body["email"]
    assert user["role"] == "clinician"
    assert user["display_name"] == "Dr. New"
    assert user["timezone"] == "Europe/Berlin"
    assert user["is_active"] is True
    assert created["activation_code"]
    assert created["activation_code_expires_at"]
    fetched = await client.get(response.headers["location"], headers=admin.headers)
    assert fetched.status_code == 200
    assert fetched.json() == {**user, "caseload": None if user["role"] != "clinician" else 0}

    activated = await client.post(
        "/v1/auth/activate",
        json={
            "email": body["email"].upper(),
            "activation_code": created["activation_code"],
            "password": PASSPHRASE,
        },
    )
    assert activated.status_code == 200, activated.text
    me = await client.get(
        "/v1/me", headers={"Authorization": f"Bearer {activated.json()['access_token']}"}
    )
    assert me.json()["id"] == user["id"]
    assert (await sign_in(client, body["email"], PASSPHRASE)).status_code == 200


async def test_new_account_cannot_sign_in_before_activation(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    response, body = await create(client, admin)
    assert response.status_code == 201
    assert (await sign_in(client, body["email"], PASSPHRASE)).status_code == 401


async def test_email_is_unique_regardless_of_case(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    first, _ = await create(client, admin, email="Robin.Case@Example.org")
    assert first.status_code == 201
    assert first.json()["user"]["email"] == "robin.case@example.org"
    users, events = await count_rows(app, User), await count_rows(app, AuditEvent)

    second, _ = await create(client, admin, email="ROBIN.CASE@example.ORG", role="clinician")

    assert second.status_code == 409
    assert second.headers["content-type"] == PROBLEM
    assert second.json()["type"].endswith("/email-taken")
    assert await count_rows(app, User) == users
    assert await count_rows(app, AuditEvent) == events


@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"is_admin": True}, "body.is_admin"),
        ({"display_name": "Sam\x00"}, "body.display_name"),
        ({"display_name": "   "}, "body.display_name"),
        ({"display_name": "x" * 101}, "body.display_name"),
        ({"email": "not-an-email"}, "body.email"),
        ({"email": "nul\x00@example.org"}, "body.email"),
        ({"role": "superuser"}, "body.role"),
        ({"timezone": "Mars/Olympus"}, "body.timezone"),
        ({"timezone": None}, "body.timezone"),
    ],
)
async def test_create_user_rejects_bad_input_and_stores_nothing(
    client: httpx.AsyncClient,
    accounts: Accounts,
    app: FastAPI,
    fields: dict[str, Any],
    bad_field: str,
) -> None:
    admin = await accounts.make(Role.admin)
    users, events = await count_rows(app, User), await count_rows(app, AuditEvent)

    response, _ = await create(client, admin, **fields)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert bad_field in [error["field"] for error in response.json()["errors"]]
    assert await count_rows(app, User) == users
    assert await count_rows(app, AuditEvent) == events


async def test_create_user_requires_json_and_all_fields(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    users = await count_rows(app, User)
    as_form = await client.post(
        "/v1/admin/users", data={"email": "a@example.org"}, headers=admin.headers
    )
    missing = await client.post(
        "/v1/admin/users", json={"email": "a@example.org"}, headers=admin.headers
    )
    malformed = await client.post(
        "/v1/admin/users",
        content=b'{"email": ',
        headers=admin.headers | {"content-type": "application/json"},
    )
    assert as_form.status_code == 415
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"body.role", "body.display_name"}
    assert malformed.status_code == 422
    assert await count_rows(app, User) == users


async def test_list_users_filters_by_role_and_pages_through_every_account(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    clinicians = {(await accounts.make(Role.clinician, signed_in=False)).id for _ in range(5)}
    for _ in range(3):
        await accounts.make(Role.participant, signed_in=False)

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"role": "clinician", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/v1/admin/users", params=params, headers=admin.headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert all(item["role"] == "clinician" for item in page["items"])
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert len(seen) == len(set(seen)) == 5
    assert {uuid.UUID(value) for value in seen} == clinicians
    everyone = await client.get("/v1/admin/users", headers=admin.headers)
    assert len(everyone.json()["items"]) == 9
    assert everyone.json()["next_cursor"] is None


async def test_list_users_leaves_out_erased_accounts(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    gone = await accounts.make(Role.participant)
    await erase(app, gone.id)
    listed = await client.get("/v1/admin/users", headers=admin.headers)
    assert [item["id"] for item in listed.json()["items"]] == [str(admin.id)]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not a cursor"},
        {"cursor": "bm90LWpzb24"},  # base64url of "not-json"
        {"cursor": "WyJ1c2VycyIsIngiLCJ5Il0"},  # ["users","x","y"]
        {"cursor": "WyJhdWRpdCIsNV0"},  # ["audit",5]: another list's cursor
        {"cursor": "x" * 600},
        {"limit": 0},
        {"limit": 201},
        {"limit": "many"},
        {"role": "superuser"},
    ],
)
async def test_list_users_rejects_bad_queries(
    client: httpx.AsyncClient, accounts: Accounts, params: dict[str, Any]
) -> None:
    admin = await accounts.make(Role.admin)
    response = await client.get("/v1/admin/users", params=params, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"].startswith("query.")


async def test_unknown_erased_or_malformed_user_id_is_not_found_or_invalid(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    gone = await accounts.make(Role.participant)
    await erase(app, gone.id)
    for user_id in (uuid.uuid4(), gone.id):
        path = f"/v1/admin/users/{user_id}"
        responses = [
            await client.get(path, headers=admin.headers),
            await client.patch(path, json={"display_name": "X"}, headers=admin.headers),
            await client.post(f"{path}/activation-code", headers=admin.headers),
        ]
        assert [r.status_code for r in responses] == [404, 404, 404]
        assert all(r.headers["content-type"] == PROBLEM for r in responses)
    bad = await client.get("/v1/admin/users/not-a-uuid", headers=admin.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "path.user_id"


async def test_deactivation_ends_the_accounts_sessions_at_once(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    assert (await client.get("/v1/me", headers=participant.headers)).status_code == 200

    response = await client.patch(
        f"/v1/admin/users/{participant.id}", json={"is_active": False}, headers=admin.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    assert (await client.get("/v1/me", headers=participant.headers)).status_code == 401
    refreshed = await client.post(
        "/v1/auth/refresh", json={"refresh_token": participant.refresh_token}
    )
    assert refreshed.status_code == 401
    assert (await sign_in(client, participant.email, TEST_PASSWORD)).status_code == 401
    code = await client.post(
        f"/v1/admin/users/{participant.id}/activation-code", headers=admin.headers
    )
    assert code.status_code == 409

    reactivated = await client.patch(
        f"/v1/admin/users/{participant.id}", json={"is_active": True}, headers=admin.headers
    )
    assert reactivated.json()["is_active"] is True
    # The old token stays dead; the password works again.
    assert (await client.get("/v1/me", headers=participant.headers)).status_code == 401
    assert (await sign_in(client, participant.email, TEST_PASSWORD)).status_code == 200


async def test_last_active_admin_cannot_be_deactivated(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    alone = await client.patch(
        f"/v1/admin/users/{admin.id}", json={"is_active": False}, headers=admin.headers
    )
    assert alone.status_code == 409
    assert alone.json()["type"].endswith("/last-admin")
    assert (await client.get("/v1/me", headers=admin.headers)).json()["is_active"] is True

    other = await accounts.make(Role.admin)
    deactivated = await client.patch(
        f"/v1/admin/users/{other.id}", json={"is_active": False}, headers=admin.headers
    )
    assert deactivated.status_code == 200
    again = await client.patch(
        f"/v1/admin/users/{admin.id}", json={"is_active": False}, headers=admin.headers
    )
    assert again.status_code == 409


async def test_an_admin_may_deactivate_themselves_while_another_admin_remains(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    await accounts.make(Role.admin, signed_in=False)
    response = await client.patch(
        f"/v1/admin/users/{admin.id}", json={"is_active": False}, headers=admin.headers
    )
    assert response.status_code == 200
    assert (await client.get("/v1/me", headers=admin.headers)).status_code == 401


async def test_rename_changes_only_the_display_name(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    clinician = await accounts.make(Role.clinician)
    before = (await client.get(f"/v1/admin/users/{clinician.id}", headers=admin.headers)).json()

    response = await client.patch(
        f"/v1/admin/users/{clinician.id}",
        json={"display_name": " Dr. Renamed "},
        headers=admin.headers,
    )

    assert response.status_code == 200
    after = response.json()
    assert after["display_name"] == "Dr. Renamed"
    assert after["updated_at"] >= before["updated_at"]
    changing = ("display_name", "updated_at", "caseload")  # the PATCH answer has no caseload
    assert {k: v for k, v in after.items() if k not in changing} == {
        k: v for k, v in before.items() if k not in changing
    }
    assert (await client.get("/v1/me", headers=clinician.headers)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"role": "admin"},
        {"email": "other@example.org"},
        {"display_name": None},
        {"is_active": None},
        {"is_active": "maybe"},
        {"display_name": "A\x00B"},
        {"display_name": ""},
    ],
)
async def test_update_user_rejects_bad_input_and_changes_nothing(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI, body: dict[str, Any]
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant, display_name="Unchanged")
    events = await count_rows(app, AuditEvent)

    response = await client.patch(
        f"/v1/admin/users/{participant.id}", json=body, headers=admin.headers
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    current = (await client.get(f"/v1/admin/users/{participant.id}", headers=admin.headers)).json()
    assert (current["display_name"], current["role"], current["is_active"]) == (
        "Unchanged",
        "participant",
        True,
    )
    assert await count_rows(app, AuditEvent) == events


async def test_fresh_activation_code_replaces_the_previous_one(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    created, body = await create(client, admin)
    old_code = created.json()["activation_code"]
    user_id = created.json()["user"]["id"]

    fresh = await client.post(f"/v1/admin/users/{user_id}/activation-code", headers=admin.headers)

    assert fresh.status_code == 201, fresh.text
    new_code = fresh.json()["activation_code"]
    assert new_code != old_code
    assert fresh.json()["expires_at"]

    def activation(code: str) -> dict[str, str]:
        return {"email": body["email"], "activation_code": code, "password": PASSPHRASE}

    assert (await client.post("/v1/auth/activate", json=activation(old_code))).status_code == 401
    assert (await client.post("/v1/auth/activate", json=activation(new_code))).status_code == 200


async def test_two_admins_deactivating_each_other_at_once_leave_one_active(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    first = await accounts.make(Role.admin)
    second = await accounts.make(Role.admin)

    responses = await asyncio.gather(
        client.patch(
            f"/v1/admin/users/{second.id}", json={"is_active": False}, headers=first.headers
        ),
        client.patch(
            f"/v1/admin/users/{first.id}", json={"is_active": False}, headers=second.headers
        ),
    )

    # Whoever goes second is either already signed out (401) or the last admin (409).
    statuses = sorted(r.status_code for r in responses)
    assert statuses[0] == 200
    assert statuses[1] in (401, 409)
    async with app.state.sessionmaker() as session:
        active_admins = await session.execute(
            select(func.count()).where(User.role == Role.admin, User.is_active.is_(True))
        )
    assert active_admins.scalar_one() == 1
