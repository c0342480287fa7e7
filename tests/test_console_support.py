"""The admin's support-contacts form: the same validation, service and audit event as
`PUT /v1/admin/support-resources`."""

from typing import Any

import httpx
from fastapi import FastAPI

from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.console import console_session, get_page, post_form

ON_CALL = {
    "r0-name": "Clinic on-call line",
    "r0-description": "A clinician of the programme answers, day and night.",
    "r0-country": "GB",
    "r0-phone": "+44 20 7946 0000",
    "r0-url": "https://clinic.example/contact",
    "r0-hours": "24 hours, every day",
    "r0-verified_at": "2026-11-01",
}


async def contacts(client: httpx.AsyncClient, admin: Account) -> Any:
    return (await client.get("/v1/admin/support-resources", headers=admin.headers)).json()


async def test_an_admin_sets_edits_and_removes_support_contacts(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    me = await console_session(app, admin)
    message = {"message": "If you need to talk to someone now, they are there for you."}

    made = await post_form(client, me, "/console/admin/support", {**message, **ON_CALL})
    first = await contacts(client, admin)
    page = await get_page(client, me, "/console/admin/support?done=support")
    second = {"r1-name": "Samaritans", "r1-description": "Any time.", "r1-phone": "116 123"}
    added = await post_form(client, me, "/console/admin/support", {**message, **ON_CALL, **second})
    both = await contacts(client, admin)
    removed = await post_form(
        client, me, "/console/admin/support", {**message, **ON_CALL, **second, "r0-remove": "1"}
    )
    last = await contacts(client, admin)

    assert [r.status_code for r in (made, added, removed)] == [303, 303, 303]
    (on_call,) = first["resources"]
    assert on_call["phone"] == "+44 20 7946 0000" and on_call["sms"] is None
    assert on_call["verified_at"] == "2026-11-01"
    assert "The support contacts are updated." in page.text
    assert 'value="+44 20 7946 0000"' in page.text and 'id="r1-name"' in page.text
    assert [r["name"] for r in both["resources"]] == ["Clinic on-call line", "Samaritans"]
    assert [r["name"] for r in last["resources"]] == ["Samaritans"]
    assert ("support.update", "success") in await accounts.audit_actions()


async def test_invalid_support_contacts_are_a_friendly_422_and_change_nothing(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    me = await console_session(app, admin)
    base = {"message": "Help is here.", **ON_CALL}
    eleven = {
        f"r{i}-{field}": value
        for i in range(11)
        for field, value in (("name", f"Line {i}"), ("description", "Answers."))
    }
    cases = [
        {**base, "r0-phone": "call me"},
        {**base, "r0-url": "javascript:alert(1)"},
        {**base, "r0-country": "Britain"},
        {**base, "r0-verified_at": "yesterday"},
        {**base, "r0-description": ""},
        {**base, "message": ""},
        {"message": "Help is here.", **eleven},
    ]
    for fields in cases:
        response = await post_form(client, me, "/console/admin/support", fields)
        assert response.status_code == 422, (fields, response.text)
        assert "Please check the form" in response.text
    assert (await contacts(client, admin))["resources"] == []
    assert ("support.update", "success") not in await accounts.audit_actions()


async def test_a_clinician_cannot_set_support_contacts(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    clinician = await console_session(app, await accounts.make(Role.clinician))

    refused = await post_form(
        client, clinician, "/console/admin/support", {"message": "Hi.", **ON_CALL}
    )

    assert refused.status_code == 403
    assert (await contacts(client, admin))["resources"] == []
