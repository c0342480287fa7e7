"""Webhook endpoints (admin CRUD, the SSRF guard, the secret shown once) and the outbox:
a thin, content-free event in the transaction of each change a webhook may announce."""

import json
from typing import Any

import httpx
import pytest

from app.users.models import Role
from tests.conftest import Accounts, ServeApp
from tests.helpers import entry_body, post_entry, submit
from tests.integration_helpers import consent, register

PUBLIC_URL = "https://93.184.215.14/hooks/journal"  # a public address: no DNS needed


def hooks(integration_id: str) -> str:
    return f"/v1/admin/integrations/{integration_id}/webhooks"


async def test_an_admin_adds_a_webhook_whose_secret_is_shown_once(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    integration = await register(client, admin)
    body = {"url": PUBLIC_URL, "events": ["entry.created", "alert.raised", "entry.created"]}

    created = await client.post(hooks(integration.id), json=body, headers=admin.headers)

    assert created.status_code == 201, created.text
    item = created.json()
    assert item["secret"].startswith("whsec_") and item["events"] == [
        "entry.created",
        "alert.raised",
    ]
    assert created.headers["location"] == f"{hooks(integration.id)}/{item['id']}"
    read = await client.get(created.headers["location"], headers=admin.headers)
    listed = await client.get(hooks(integration.id), headers=admin.headers)
    assert read.status_code == 200 and "secret" not in read.json()
    assert [i["id"] for i in listed.json()["items"]] == [item["id"]]
    stored = str(await accounts.sql("SELECT * FROM webhook_endpoints"))
    audit = str(await accounts.sql("SELECT * FROM audit_events"))
    assert item["secret"] not in stored and item["secret"] not in audit
    assert ("integration.webhook_create", "success") in await accounts.audit_actions()


async def test_an_integration_without_webhooks_receive_gets_no_webhook(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    integration = await register(client, admin, scopes=["entries.read"])

    response = await client.post(
        hooks(integration.id), json={"url": PUBLIC_URL, "events": ["entry.created"]},
        headers=admin.headers,
    )  # fmt: skip

    assert response.status_code == 409
    assert response.json()["type"].endswith("/webhooks-not-granted")


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://user:pass@93.184.215.14/hook",
        "ftp://93.184.215.14/hook",
        "not a url",
        "https://no-such-host.invalid/hook",
    ],
)
async def test_a_url_into_the_services_own_network_is_refused(
    client: httpx.AsyncClient, accounts: Accounts, url: str
) -> None:
    admin = await accounts.make(Role.admin)
    integration = await register(client, admin)

    response = await client.post(
        hooks(integration.id), json={"url": url, "events": ["entry.created"]},
        headers=admin.headers,
    )  # fmt: skip

    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "body.url"
    assert await accounts.count("webhook_endpoints") == 0


async def test_the_development_switch_allows_private_urls(serve_app: ServeApp) -> None:
    async with serve_app(webhook_allow_private_urls=True) as served:
        admin = await served.accounts.make(Role.admin)
        integration = await register(served.client, admin)
        response = await served.client.post(
            hooks(integration.id),
            json={"url": "http://127.0.0.1:8765/hook", "events": ["consent.granted"]},
            headers=admin.headers,
        )
        assert response.status_code == 201, response.text


async def test_an_admin_changes_disables_and_deletes_a_webhook(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    integration = await register(client, admin)
    other = await register(client, admin, name="Other")
    created = await client.post(
        hooks(integration.id), json={"url": PUBLIC_URL, "events": ["entry.created"]},
        headers=admin.headers,
    )  # fmt: skip
    url = created.headers["location"]

    changed = await client.patch(
        url, json={"events": ["alert.raised"], "is_active": False}, headers=admin.headers
    )
    refused = await client.patch(url, json={"url": "https://10.0.0.1/x"}, headers=admin.headers)
    elsewhere = await client.get(f"{hooks(other.id)}/{created.json()['id']}", headers=admin.headers)
    deleted = await client.delete(url, headers=admin.headers)

    assert changed.status_code == 200
    assert changed.json()["events"] == ["alert.raised"] and changed.json()["is_active"] is False
    assert refused.status_code == 422 and elsewhere.status_code == 404
    assert deleted.status_code == 204
    assert (await client.get(url, headers=admin.headers)).status_code == 404


async def _events(accounts: Accounts) -> list[tuple[str, dict[str, Any]]]:
    rows = await accounts.sql("SELECT type, data FROM domain_events ORDER BY occurred_at, type")
    return [
        (str(kind), json.loads(data) if isinstance(data, str) else dict(data))  # type: ignore[call-overload]
        for kind, data in rows
    ]


async def test_each_change_writes_a_thin_event_in_its_transaction(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    sam = await accounts.make()
    integration = await register(client, admin)
    await consent(client, sam, integration)
    entry = (await post_entry(client, sam, note="zebra quartz evening", mood=2)).json()
    replay = await client.post(
        "/v1/me/entries", json=entry_body(id=entry["id"], note="zebra quartz evening", mood=2),
        headers=sam.headers,
    )  # fmt: skip
    rejected = await post_entry(client, sam, mood=11)
    url = f"/v1/me/entries/{entry['id']}"
    await client.patch(url, json={"mood": 3}, headers=sam.headers)
    await client.delete(url, headers=sam.headers)
    assessment = (await submit(client, sam)).json()
    await client.delete(f"/v1/me/integrations/{integration.id}/consent", headers=sam.headers)

    assert replay.status_code == 200 and rejected.status_code == 422
    events = await _events(accounts)
    assert sorted(kind for kind, _ in events) == sorted(
        ["consent.granted", "entry.created", "entry.updated", "entry.deleted",
         "assessment.completed", "consent.withdrawn"]
    )  # fmt: skip
    subjects = {kind: data for kind, data in events}
    assert subjects["entry.created"]["entry_id"] == entry["id"]
    assert subjects["assessment.completed"]["assessment_id"] == assessment["id"]
    assert subjects["consent.granted"]["integration_id"] == integration.id
    for _kind, data in events:
        assert data["participant_id"] == str(sam.id)
        assert set(data) <= {"entry_id", "assessment_id", "integration_id", "participant_id",
                             "occurred_at"}  # fmt: skip
    assert "zebra quartz" not in str(events)
