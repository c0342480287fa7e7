"""Helpers the integration tests share: a registered client, its tokens, consent."""

import base64
from dataclasses import dataclass
from typing import Any

import httpx

from tests.conftest import Account

ALL_SCOPES = ["entries.read", "assessments.read", "alerts.read", "fhir.read", "webhooks.receive"]


@dataclass
class Client:
    id: str
    secret: str
    name: str

    def basic(self, secret: str | None = None) -> dict[str, str]:
        raw = f"{self.id}:{secret or self.secret}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


async def register(
    client: httpx.AsyncClient,
    admin: Account,
    *,
    name: str = "Riverside EHR",
    scopes: list[str] | None = None,
) -> Client:
    body = {"name": name, "description": "Copies entries.", "scopes": scopes or ALL_SCOPES}
    response = await client.post("/v1/admin/integrations", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    created = response.json()
    return Client(created["client_id"], created["client_secret"], name)


async def request_token(
    client: httpx.AsyncClient, integration: Client, **form: str
) -> httpx.Response:
    return await client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials", **form},
        headers=integration.basic(),
    )


async def token_headers(
    client: httpx.AsyncClient, integration: Client, scope: str | None = None
) -> dict[str, str]:
    response = await request_token(client, integration, **({"scope": scope} if scope else {}))
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def consent(client: httpx.AsyncClient, participant: Account, integration: Client) -> Any:
    response = await client.put(
        f"/v1/me/integrations/{integration.id}/consent", headers=participant.headers
    )
    assert response.status_code == 200, response.text
    return response.json()
