"""Integration clients: admin CRUD with the secret shown once, and the client credentials
grant on `POST /v1/auth/token` (RFC 6749 section 4.4) with its RFC error bodies."""

import httpx
import pytest

from app.users.models import Role
from tests.conftest import Accounts, ServeApp
from tests.integration_helpers import ALL_SCOPES, register, request_token, token_headers

PARTICIPANTS = "/v1/integration/participants"


async def test_an_admin_registers_a_client_whose_secret_is_shown_once_and_stored_hashed(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    body = {"name": "Riverside EHR", "description": "EHR", "scopes": ["entries.read"]}

    created = await client.post("/v1/admin/integrations", json=body, headers=admin.headers)

    assert created.status_code == 201
    item = created.json()
    assert created.headers["location"] == f"/v1/admin/integrations/{item['id']}"
    assert item["client_id"] == item["id"] and item["client_secret"].startswith("ics_")
    assert item["scopes"] == ["entries.read"] and item["is_active"] is True
    read = await client.get(created.headers["location"], headers=admin.headers)
    assert read.status_code == 200 and "client_secret" not in read.json()
    listed = await client.get("/v1/admin/integrations", headers=admin.headers)
    assert [i["id"] for i in listed.json()["items"]] == [item["id"]]
    assert "client_secret" not in listed.json()["items"][0]
    stored = await accounts.sql("SELECT secret_hash FROM integration_clients")
    assert stored[0][0] != item["client_secret"] and len(str(stored[0][0])) == 64


async def test_an_admin_changes_a_client_and_each_change_is_audited_without_the_secret(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    integration = await register(client, admin)
    url = f"/v1/admin/integrations/{integration.id}"

    changed = await client.patch(
        url, json={"name": "Riverside", "scopes": ["alerts.read"]}, headers=admin.headers
    )
    rotated = await client.post(f"{url}/secret", headers=admin.headers)

    assert changed.status_code == 200
    assert changed.json()["name"] == "Riverside" and changed.json()["scopes"] == ["alerts.read"]
    assert rotated.status_code == 200
    new_secret = rotated.json()["client_secret"]
    assert new_secret != integration.secret
    actions = [a for a, _ in await accounts.audit_actions() if a.startswith("integration.")]
    assert actions == [
        "integration.create",
        "integration.update",
        "integration.secret_rotate",
    ]
    everything = str(await accounts.sql("SELECT * FROM audit_events"))
    assert integration.secret not in everything and new_secret not in everything


@pytest.mark.parametrize(
    "body",
    [
        {"name": "", "scopes": []},
        {"name": "X", "scopes": ["entries.write"]},
        {"name": "X\x00", "scopes": []},
        {"name": "X", "scopes": [], "extra": 1},
    ],
)
async def test_a_bad_client_is_refused_and_nothing_is_stored(
    client: httpx.AsyncClient, accounts: Accounts, body: dict[str, object]
) -> None:
    admin = await accounts.make(Role.admin)

    response = await client.post("/v1/admin/integrations", json=body, headers=admin.headers)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert await accounts.count("integration_clients") == 0


async def test_an_unknown_client_is_404_and_null_changes_are_refused(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    integration = await register(client, admin)
    unknown = "/v1/admin/integrations/00000000-0000-4000-8000-000000000000"

    assert (await client.get(unknown, headers=admin.headers)).status_code == 404
    assert (await client.post(f"{unknown}/secret", headers=admin.headers)).status_code == 404
    nulled = await client.patch(
        f"/v1/admin/integrations/{integration.id}", json={"name": None}, headers=admin.headers
    )
    assert nulled.status_code == 422


async def test_a_client_gets_a_token_with_basic_or_with_the_form(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    integration = await register(client, await accounts.make(Role.admin))

    by_basic = await request_token(client, integration)
    by_form = await client.post(
        "/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": integration.id,
            "client_secret": integration.secret,
            "scope": "entries.read alerts.read",
        },
    )

    assert by_basic.status_code == 200, by_basic.text
    token = by_basic.json()
    assert token["token_type"] == "Bearer" and token["expires_in"] == 900
    assert token["scope"].split() == ALL_SCOPES and "refresh_token" not in token
    assert by_basic.headers["cache-control"] == "no-store"
    assert by_form.status_code == 200 and by_form.json()["scope"] == "entries.read alerts.read"
    listed = await client.get(
        PARTICIPANTS, headers={"Authorization": f"Bearer {token['access_token']}"}
    )
    assert listed.status_code == 200 and listed.json()["items"] == []


async def test_a_wrong_secret_is_invalid_client_as_rfc_6749_says(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    integration = await register(client, await accounts.make(Role.admin))

    by_basic = await client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers=integration.basic("ics_wrong"),
    )
    by_form = await client.post(
        "/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": integration.id,
            "client_secret": "ics_wrong",
        },
    )
    unknown = await client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"},
    )

    for response in (by_basic, by_form, unknown):
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert response.json()["error_description"]
        assert response.headers["www-authenticate"].startswith("Basic ")
    assert (await accounts.audit_actions()).count(("auth.client_token", "failure")) == 3


async def test_an_inactive_client_gets_no_token(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    integration = await register(client, admin)
    await client.patch(
        f"/v1/admin/integrations/{integration.id}", json={"is_active": False}, headers=admin.headers
    )

    response = await request_token(client, integration)

    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


async def test_a_scope_not_granted_is_invalid_scope(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    integration = await register(client, await accounts.make(Role.admin), scopes=["entries.read"])

    for scope in ("alerts.read", "entries.read everything"):
        response = await request_token(client, integration, scope=scope)
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_scope"


async def test_basic_and_form_credentials_together_are_invalid_request(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    integration = await register(client, await accounts.make(Role.admin))

    response = await request_token(
        client, integration, client_id=integration.id, client_secret=integration.secret
    )

    assert response.status_code == 400 and response.json()["error"] == "invalid_request"


async def test_rotation_and_deactivation_end_live_tokens_on_the_next_request(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    integration = await register(client, admin)
    url = f"/v1/admin/integrations/{integration.id}"
    before_rotation = await token_headers(client, integration)

    await client.post(f"{url}/secret", headers=admin.headers)

    assert (await client.get(PARTICIPANTS, headers=before_rotation)).status_code == 401
    assert (await request_token(client, integration)).status_code == 401  # the old secret
    integration.secret = (await client.post(f"{url}/secret", headers=admin.headers)).json()[
        "client_secret"
    ]
    live = await token_headers(client, integration)
    assert (await client.get(PARTICIPANTS, headers=live)).status_code == 200

    await client.patch(url, json={"is_active": False}, headers=admin.headers)

    assert (await client.get(PARTICIPANTS, headers=live)).status_code == 401


async def test_failed_client_requests_are_throttled_like_sign_ins(serve_app: ServeApp) -> None:
    async with serve_app(login_max_failures_per_email=2) as served:
        integration = await register(served.client, await served.accounts.make(Role.admin))
        for _ in range(2):
            wrong = await served.client.post(
                "/v1/auth/token",
                data={"grant_type": "client_credentials"},
                headers=integration.basic("ics_wrong"),
            )
            assert wrong.status_code == 401
        throttled = await request_token(served.client, integration)
        assert throttled.status_code == 429 and "retry-after" in throttled.headers


async def test_tokens_of_one_kind_do_not_pass_for_the_other(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    integration = await register(client, admin)
    client_token = await token_headers(client, integration)

    assert (await client.get("/v1/me", headers=client_token)).status_code == 403
    assert (await client.get(PARTICIPANTS, headers=admin.headers)).status_code == 403
    assert (await client.get(PARTICIPANTS)).status_code == 401


@pytest.mark.parametrize("header", ["Basic", "Basic !!!notbase64", "Basic bm9jb2xvbg=="])
async def test_garbled_basic_credentials_are_invalid_client_and_change_nothing(
    client: httpx.AsyncClient, accounts: Accounts, header: str
) -> None:
    await register(client, await accounts.make(Role.admin))
    before = await accounts.audit_actions()

    response = await client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": header},
    )

    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic ")
    assert await accounts.audit_actions() == before


async def test_scopes_are_kept_once_and_a_client_without_any_gets_an_empty_scope(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    integration = await register(client, admin, scopes=["alerts.read", "alerts.read"])
    url = f"/v1/admin/integrations/{integration.id}"
    assert (await client.get(url, headers=admin.headers)).json()["scopes"] == ["alerts.read"]

    emptied = await client.patch(url, json={"scopes": []}, headers=admin.headers)
    token = await request_token(client, integration)

    assert emptied.json()["scopes"] == []
    assert token.status_code == 200 and token.json()["scope"] == ""
