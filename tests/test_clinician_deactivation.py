"""Deactivating a clinician leaves nobody in their care, and the admin can see who needs one."""

import httpx

from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import assign, care_team


async def deactivate(client: httpx.AsyncClient, admin: Account, account: Account) -> None:
    response = await client.patch(
        f"/v1/admin/users/{account.id}", json={"is_active": False}, headers=admin.headers
    )
    assert response.status_code == 200, response.text


async def test_deactivating_a_clinician_ends_their_assignments_and_keeps_the_history(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam, kim) = await care_team(client, accounts, participants=2)
    await deactivate(client, admin, clinician)

    assert (await client.get("/v1/me", headers=clinician.headers)).status_code == 401
    for person in (sam, kim):
        mine = (await client.get("/v1/me/clinician", headers=person.headers)).json()
        assert mine["clinician"] is None
        care = await client.get(
            f"/v1/admin/participants/{person.id}/clinician", headers=admin.headers
        )
        assert care.status_code == 200
        body = care.json()
        assert body["current"] is None
        (period,) = body["history"]
        assert period["clinician_id"] == str(clinician.id)
        assert period["ended_at"] is not None and period["ended_by"] == str(admin.id)
    ended = await accounts.sql("SELECT count(*) FROM audit_events WHERE action = 'assignment.end'")
    assert ended[0][0] == 2


async def test_admin_lists_participants_without_a_clinician_and_sees_caseloads(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam, kim) = await care_team(client, accounts, participants=2)
    loner = await accounts.make()
    account = await client.get(f"/v1/admin/users/{clinician.id}", headers=admin.headers)
    assert account.json()["caseload"] == 2
    listed = await client.get("/v1/admin/users?role=clinician", headers=admin.headers)
    assert [item["caseload"] for item in listed.json()["items"]] == [2]
    participant = await client.get(f"/v1/admin/users/{sam.id}", headers=admin.headers)
    assert participant.json()["caseload"] is None

    unassigned = await client.get("/v1/admin/users?without_clinician=true", headers=admin.headers)
    assert [item["id"] for item in unassigned.json()["items"]] == [str(loner.id)]
    await deactivate(client, admin, clinician)
    unassigned = await client.get("/v1/admin/users?without_clinician=true", headers=admin.headers)
    assert {item["id"] for item in unassigned.json()["items"]} == {
        str(sam.id),
        str(kim.id),
        str(loner.id),
    }
    account = await client.get(f"/v1/admin/users/{clinician.id}", headers=admin.headers)
    assert account.json()["caseload"] == 0


async def test_participant_care_is_404_for_anyone_but_a_participant(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam,) = await care_team(client, accounts)
    for other in (clinician, admin):
        url = f"/v1/admin/participants/{other.id}/clinician"
        assert (await client.get(url, headers=admin.headers)).status_code == 404
    current = await client.get(f"/v1/admin/participants/{sam.id}/clinician", headers=admin.headers)
    assert current.json()["current"]["clinician_id"] == str(clinician.id)


async def test_a_reactivated_clinician_can_be_assigned_again(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam,) = await care_team(client, accounts)
    await deactivate(client, admin, clinician)
    response = await client.patch(
        f"/v1/admin/users/{clinician.id}", json={"is_active": True}, headers=admin.headers
    )
    assert response.status_code == 200
    await assign(client, admin, sam, await accounts.make(Role.clinician))
    history = await client.get(f"/v1/admin/participants/{sam.id}/clinician", headers=admin.headers)
    assert len(history.json()["history"]) == 2
