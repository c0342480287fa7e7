"""Security notices: what changed who can reach a participant's journal (account recovery,
care-team changes), shown at GET /v1/me/security-notices, marked in the access log, and
counted on GET /v1/me until the participant has listed them."""

import httpx

from app.pagination import encode_cursor
from app.users.models import Role
from tests.conftest import Account, Accounts, sign_in

NEW_PASSWORD = "a quiet walk along the river at dawn"


async def _issue_code(client: httpx.AsyncClient, admin: Account, user_id: object) -> str:
    response = await client.post(
        f"/v1/admin/users/{user_id}/activation-code", headers=admin.headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["activation_code"])


async def _activate(client: httpx.AsyncClient, email: str, code: str) -> dict[str, str]:
    response = await client.post(
        "/v1/auth/activate",
        json={"email": email, "activation_code": code, "password": NEW_PASSWORD},
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _notices(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[str]:
    response = await client.get("/v1/me/security-notices", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["kind"] for item in response.json()["items"]]


async def _unseen(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    me = await client.get("/v1/me", headers=headers)
    assert me.status_code == 200, me.text
    return int(me.json()["unseen_security_notices"])


async def _care_change(
    client: httpx.AsyncClient, admin: Account, participant: Account, clinician: Account | None
) -> None:
    path = f"/v1/admin/participants/{participant.id}/clinician"
    if clinician is None:
        response = await client.delete(path, headers=admin.headers)
    else:
        body = {"clinician_id": str(clinician.id)}
        response = await client.put(path, json=body, headers=admin.headers)
    assert response.status_code in (200, 204), response.text


async def test_recovery_of_an_account_in_use_shows_two_notices_and_counts_them_on_sign_in(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant, signed_in=False)
    assert (await sign_in(client, participant.email)).status_code == 200  # the account is used

    code = await _issue_code(client, admin, participant.id)
    headers = await _activate(client, participant.email, code)  # whoever holds the code

    assert await _unseen(client, headers) == 2
    response = await client.get("/v1/me/security-notices", headers=headers)
    items = response.json()["items"]
    assert [i["kind"] for i in items] == [
        "password_set_with_recovery_code",
        "account_recovery_started",
    ]
    assert all(i["message"] and i["occurred_at"] for i in items)
    assert await _unseen(client, headers) == 0  # listed: seen


async def test_codes_for_an_account_nobody_has_used_are_not_notices(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    created = await client.post(
        "/v1/admin/users",
        json={"email": "new-sam@example.org", "role": "participant", "display_name": "Sam"},
        headers=admin.headers,
    )
    user_id = created.json()["user"]["id"]
    code = await _issue_code(client, admin, user_id)  # the first one was lost

    headers = await _activate(client, "new-sam@example.org", code)

    assert await _notices(client, headers) == []
    assert await _unseen(client, headers) == 0
    await _issue_code(client, admin, user_id)  # now the account has been in use
    # Signed in again: a recovery code may end the account's sessions.
    signed_in = await sign_in(client, "new-sam@example.org", NEW_PASSWORD)
    headers = {"Authorization": f"Bearer {signed_in.json()['access_token']}"}
    assert await _unseen(client, headers) == 1
    assert await _notices(client, headers) == ["account_recovery_started"]


async def test_care_team_changes_are_notices_newest_first_and_paginated(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    ada = await accounts.make(Role.clinician)
    ben = await accounts.make(Role.clinician)
    for clinician in (ada, ben, None):
        await _care_change(client, admin, participant, clinician)
    assert await _unseen(client, participant.headers) == 3

    first = await client.get(
        "/v1/me/security-notices", params={"limit": 2}, headers=participant.headers
    )
    page = first.json()
    rest = await _notices(client, participant.headers, cursor=page["next_cursor"])

    kinds = [item["kind"] for item in page["items"]] + rest
    assert kinds == ["clinician_unassigned", "clinician_assigned", "clinician_assigned"]
    assert await _unseen(client, participant.headers) == 0
    await _care_change(client, admin, participant, ada)
    assert await _unseen(client, participant.headers) == 1


async def test_a_later_page_does_not_mark_newer_notices_seen(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    ada = await accounts.make(Role.clinician)
    await _care_change(client, admin, participant, ada)
    await _care_change(client, admin, participant, None)
    first = await client.get(
        "/v1/me/security-notices", params={"limit": 1}, headers=participant.headers
    )
    await _care_change(client, admin, participant, ada)  # after the first page was read

    await _notices(client, participant.headers, cursor=first.json()["next_cursor"])

    assert await _unseen(client, participant.headers) == 1


async def test_notices_are_marked_in_the_access_log(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant, signed_in=False)
    clinician = await accounts.make(Role.clinician)
    assert (await sign_in(client, participant.email)).status_code == 200
    await _care_change(client, admin, participant, clinician)
    await client.get(f"/v1/clinician/participants/{participant.id}", headers=clinician.headers)
    code = await _issue_code(client, admin, participant.id)
    headers = await _activate(client, participant.email, code)

    log = (await client.get("/v1/me/access-log", headers=headers)).json()["items"]

    assert [(i["accessor"], i["accessor_role"], i["security_notice"]) for i in log] == [
        ("recovery code", "participant", "password_set_with_recovery_code"),
        ("administrator", "admin", "account_recovery_started"),
        (log[2]["accessor"], "clinician", None),
        ("administrator", "admin", "clinician_assigned"),
    ]


async def test_notices_are_the_participants_own(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    other = await accounts.make(Role.participant)
    await _care_change(client, admin, participant, await accounts.make(Role.clinician))

    assert await _notices(client, other.headers) == []
    assert await _unseen(client, other.headers) == 0
    assert await _unseen(client, participant.headers) == 1


async def test_staff_accounts_have_no_notices(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    clinician = await accounts.make(Role.clinician)

    listed = await client.get("/v1/me/security-notices", headers=clinician.headers)

    assert listed.status_code == 403
    assert await _unseen(client, clinician.headers) == 0


async def test_a_crafted_notices_cursor_is_422(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    participant = await accounts.make(Role.participant)

    for cursor in (encode_cursor("security-notices", [2**63]), encode_cursor("audit", [5])):
        response = await client.get(
            "/v1/me/security-notices", params={"cursor": cursor}, headers=participant.headers
        )
        assert response.status_code == 422
