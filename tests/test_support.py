"""The clinic's support contacts: set by an admin, read by participants with an ETag."""

from typing import Any

import httpx
import pytest

from app.users.models import Role
from tests.conftest import Accounts

ADMIN_PATH = "/v1/admin/support-resources"
ON_CALL = {
    "name": "Clinic on-call line",
    "description": "A clinician of the programme answers, day and night.",
    "country": "GB",
    "phone": "+44 20 7946 0000",
    "hours": "24 hours, every day",
    "source_url": "https://clinic.example/contact",
    "verified_at": "2026-11-01",
}
SUPPORT = {
    "message": "If you need to talk to someone now, they are there for you.",
    "resources": [ON_CALL],
}


async def test_participants_read_what_the_admin_set_and_can_cache_it(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, sam = await accounts.make(Role.admin), await accounts.make()
    empty = await client.get("/v1/me/support", headers=sam.headers)
    assert empty.json() == {"message": None, "resources": []}

    assert (await client.put(ADMIN_PATH, json=SUPPORT, headers=admin.headers)).status_code == 200
    first = await client.get("/v1/me/support", headers=sam.headers)
    cached = await client.get(
        "/v1/me/support", headers={**sam.headers, "If-None-Match": first.headers["etag"]}
    )
    changed = {**SUPPORT, "message": "Someone is there for you."}
    await client.put(ADMIN_PATH, json=changed, headers=admin.headers)
    stale = await client.get(
        "/v1/me/support", headers={**sam.headers, "If-None-Match": first.headers["etag"]}
    )

    assert first.json()["message"] == SUPPORT["message"]
    assert first.json()["resources"][0]["phone"] == ON_CALL["phone"]
    assert first.headers["etag"] != empty.headers["etag"]
    assert cached.status_code == 304 and cached.content == b""
    assert stale.status_code == 200 and stale.json()["message"] == "Someone is there for you."
    assert ("support.update", "success") in await accounts.audit_actions()
    audit = repr(await accounts.sql("SELECT * FROM audit_events"))
    assert "7946" not in audit and "there for you" not in audit


@pytest.mark.parametrize(
    "body",
    [
        {**SUPPORT, "resources": [ON_CALL] * 11},
        {**SUPPORT, "message": "x" * 501},
        {**SUPPORT, "message": ""},
        {**SUPPORT, "resources": [{**ON_CALL, "phone": "call me"}]},
        {**SUPPORT, "resources": [{**ON_CALL, "country": "gb"}]},
        {**SUPPORT, "resources": [{**ON_CALL, "url": "javascript:alert(1)"}]},
        {**SUPPORT, "resources": [{**ON_CALL, "extra": 1}]},
    ],
)
async def test_bad_support_settings_are_422_and_change_nothing(
    client: httpx.AsyncClient, accounts: Accounts, body: dict[str, Any]
) -> None:
    admin = await accounts.make(Role.admin)
    await client.put(ADMIN_PATH, json=SUPPORT, headers=admin.headers)

    refused = await client.put(ADMIN_PATH, json=body, headers=admin.headers)

    assert refused.status_code == 422
    assert (await client.get(ADMIN_PATH, headers=admin.headers)).json()["message"] == SUPPORT[
        "message"
    ]
