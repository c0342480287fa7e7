"""The integration API: only participants who consent, each route behind its scope, every
read audited and in the participant's access log under the integration's name, private
notes never sent, and withdrawal effective on the next request."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from app.access import Reader
from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import care_team, post_entry, submit
from tests.integration_helpers import Client, consent, register, request_token, token_headers
from tests.one_door import DoorGuard

BASE = "/v1/integration/participants"
ROUTES = {
    "entries.read": "/entries/changes",
    "assessments.read": "/assessments",
    "alerts.read": "/alerts",
}


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days, minutes=1)).isoformat()


async def consenting_world(
    client: httpx.AsyncClient, accounts: Accounts
) -> tuple[Account, Account, Client, dict[str, str]]:
    """A participant in care who consents to an integration; a token of that integration."""
    admin, _clinician, (sam,) = await care_team(client, accounts)
    integration = await register(client, admin)
    await consent(client, sam, integration)
    return admin, sam, integration, await token_headers(client, integration)


async def test_a_participant_sees_active_integrations_and_consents_and_withdraws(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    sam = await accounts.make()
    riverside = await register(client, admin, name="Riverside EHR", scopes=["entries.read"])
    gone = await register(client, admin, name="Old lab")
    await client.patch(
        f"/v1/admin/integrations/{gone.id}", json={"is_active": False}, headers=admin.headers
    )

    before = (await client.get("/v1/me/integrations", headers=sam.headers)).json()
    given = await consent(client, sam, riverside)
    again = await consent(client, sam, riverside)
    after = (await client.get("/v1/me/integrations", headers=sam.headers)).json()
    url = f"/v1/me/integrations/{riverside.id}/consent"
    withdrawn = await client.delete(url, headers=sam.headers)
    twice = await client.delete(url, headers=sam.headers)

    assert [(i["name"], i["consented"], i["scopes"]) for i in before] == [
        ("Riverside EHR", False, ["entries.read"])
    ]
    assert given["consented"] is True and given["consented_at"] == again["consented_at"]
    assert after == [given]
    assert withdrawn.status_code == 204 and twice.status_code == 204
    grants = await accounts.sql(
        "SELECT action, participant_id FROM audit_events WHERE action LIKE 'integration.consent%'"
    )
    assert [str(action) for action, _ in grants] == [
        "integration.consent_grant",
        "integration.consent_withdraw",
    ]
    inactive = await client.put(f"/v1/me/integrations/{gone.id}/consent", headers=sam.headers)
    assert inactive.status_code == 404
    assert await accounts.count("integration_consents") == 0


async def test_only_consenting_participants_are_listed_and_reachable(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, sam, integration, token = await consenting_world(client, accounts)
    kim = await accounts.make(display_name="Kim")
    clinician = await accounts.make(Role.clinician)
    other = await register(client, admin, name="Other")
    await consent(client, kim, other)

    listed = await client.get(BASE, headers=token)

    assert [item["id"] for item in listed.json()["items"]] == [str(sam.id)]
    assert listed.json()["items"][0]["display_name"] == "P000"
    for someone in (kim, clinician, admin):
        for suffix in ROUTES.values():
            response = await client.get(f"{BASE}/{someone.id}{suffix}", headers=token)
            assert response.status_code == 404, (suffix, response.text)
    assert integration.id != other.id


async def test_withdrawal_ends_access_on_the_next_request(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, sam, integration, token = await consenting_world(client, accounts)
    url = f"{BASE}/{sam.id}/entries/changes"
    assert (await client.get(url, headers=token)).status_code == 200

    await client.delete(f"/v1/me/integrations/{integration.id}/consent", headers=sam.headers)

    assert (await client.get(url, headers=token)).status_code == 404
    assert (await client.get(BASE, headers=token)).json()["items"] == []


@pytest.mark.parametrize("scope", sorted(ROUTES))
async def test_each_route_needs_its_scope(
    client: httpx.AsyncClient, accounts: Accounts, scope: str
) -> None:
    _admin, sam, integration, _token = await consenting_world(client, accounts)
    others = " ".join(sorted(set(ROUTES) - {scope}))
    narrow = await token_headers(client, integration, scope=others)

    response = await client.get(f"{BASE}/{sam.id}{ROUTES[scope]}", headers=narrow)

    assert response.status_code == 403
    assert response.json()["type"].endswith("/insufficient-scope")
    assert f'scope="{scope}"' in response.headers["www-authenticate"]
    for other in set(ROUTES) - {scope}:
        allowed = await client.get(f"{BASE}/{sam.id}{ROUTES[other]}", headers=narrow)
        assert allowed.status_code == 200, allowed.text


async def test_a_scope_taken_from_the_client_stops_working_for_live_tokens(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, sam, integration, token = await consenting_world(client, accounts)

    await client.patch(
        f"/v1/admin/integrations/{integration.id}",
        json={"scopes": ["alerts.read"]},
        headers=admin.headers,
    )

    assert (await client.get(f"{BASE}/{sam.id}/entries/changes", headers=token)).status_code == 403
    assert (await client.get(f"{BASE}/{sam.id}/alerts", headers=token)).status_code == 200


async def test_the_feed_has_tombstones_and_only_shared_notes(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, sam, _integration, token = await consenting_world(client, accounts)
    private = (await post_entry(client, sam, note="my private thought")).json()
    shared = (await post_entry(client, sam, note="for my team", note_shared=True)).json()
    gone = (await post_entry(client, sam, note="deleted later")).json()
    await client.delete(f"/v1/me/entries/{gone['id']}", headers=sam.headers)

    response = await client.get(f"{BASE}/{sam.id}/entries/changes", headers=token)

    items = {item["id"]: item for item in response.json()["items"]}
    assert items[private["id"]]["entry"]["note"] is None
    assert items[private["id"]]["entry"]["mood"] == private["mood"]
    assert items[shared["id"]]["entry"]["note"] == "for my team"
    assert items[gone["id"]]["deleted"] is True and items[gone["id"]]["entry"] is None
    assert "my private thought" not in response.text
    again = await client.get(
        f"{BASE}/{sam.id}/entries/changes",
        params={"cursor": response.json()["next_cursor"]},
        headers=token,
    )
    assert again.json()["items"] == []


async def test_assessments_and_alerts_are_read_without_the_care_teams_notes(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, sam, _integration, token = await consenting_world(client, accounts)
    assert (await submit(client, sam)).status_code == 201
    for days in (2, 1, 0):
        response = await post_entry(client, sam, recorded_at=days_ago(days), anxiety=9)
        assert response.status_code == 201, response.text

    assessments = await client.get(f"{BASE}/{sam.id}/assessments", headers=token)
    alerts = await client.get(f"{BASE}/{sam.id}/alerts", headers=token)

    assert [item["instrument"] for item in assessments.json()["items"]] == ["gad-7"]
    (alert,) = alerts.json()["items"]
    assert alert["participant_id"] == str(sam.id) and alert["status"] == "open"
    assert not {"evidence", "resolution_note", "acknowledged_by"} & set(alert)


async def test_every_read_is_in_the_access_log_under_the_integrations_name(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, sam, _integration, token = await consenting_world(client, accounts)
    guard: DoorGuard = app.state.door_guard
    guard.seen.clear()

    await client.get(BASE, headers=token)
    for suffix in ROUTES.values():
        assert (await client.get(f"{BASE}/{sam.id}{suffix}", headers=token)).status_code == 200

    assert guard.readers() == {Reader.integration.value}
    log = (await client.get("/v1/me/access-log", headers=sam.headers)).json()["items"]
    mine = [item for item in log if item["accessor_role"] == "integration"]
    assert {item["accessor"] for item in mine} == {"Riverside EHR"}
    assert sorted(item["data"] for item in mine) == ["alerts", "assessments", "entries", "profile"]


async def test_no_secret_or_token_reaches_the_audit_trail_or_the_logs(
    client: httpx.AsyncClient, accounts: Accounts, emitted_logs: Callable[[], str]
) -> None:
    admin, sam, integration, token = await consenting_world(client, accounts)
    rotated = await client.post(
        f"/v1/admin/integrations/{integration.id}/secret", headers=admin.headers
    )
    integration.secret = rotated.json()["client_secret"]
    fresh = (await request_token(client, integration)).json()["access_token"]
    await client.get(
        f"{BASE}/{sam.id}/entries/changes", headers={"Authorization": f"Bearer {fresh}"}
    )
    await client.post(
        "/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": integration.id,
              "client_secret": "ics_a-wrong-secret-value"},
    )  # fmt: skip

    audit = str(await accounts.sql("SELECT * FROM audit_events"))
    logs = emitted_logs()
    for secret in (integration.secret, fresh, token["Authorization"].split()[1],
                   "ics_a-wrong-secret-value"):  # fmt: skip
        assert secret not in audit and secret not in logs


async def test_an_erased_participant_consents_to_nothing(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, sam, _integration, token = await consenting_world(client, accounts)

    assert (await client.delete("/v1/me", headers=sam.headers)).status_code == 204

    assert await accounts.count("integration_consents") == 0
    assert (await client.get(BASE, headers=token)).json()["items"] == []


async def test_the_export_holds_the_consents_and_the_admin_trail_the_integrations_reads(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, sam, integration, token = await consenting_world(client, accounts)
    await client.get(f"{BASE}/{sam.id}/entries/changes", headers=token)

    export = await client.get("/v1/me/export", headers=sam.headers)
    trail = await client.get(
        "/v1/admin/audit-events", params={"participant_id": str(sam.id)}, headers=admin.headers
    )

    (given,) = export.json()["integration_consents"]
    assert given["integration_id"] == integration.id
    assert given["integration_name"] == "Riverside EHR"
    assert "integration" in [item["accessor_role"] for item in export.json()["access_log"]]
    assert trail.status_code == 200
    (read,) = [e for e in trail.json()["items"] if e["action"] == "integration.read_entries"]
    assert read["actor_role"] == "integration" and read["subject_id"] == integration.id
    assert read["actor_display_name"] == "Riverside EHR" and read["actor_id"] is None
