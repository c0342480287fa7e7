"""The audit trail of admin actions, and reading it through GET /v1/admin/audit-events."""

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.users.models import Role
from tests.conftest import TEST_PASSWORD, Account, Accounts

PROBLEM = "application/problem+json"
EVENTS = "/v1/admin/audit-events"


async def audit_rows(app: FastAPI, after_id: int = 0) -> list[AuditEvent]:
    async with app.state.sessionmaker() as session:
        result = await session.execute(
            select(AuditEvent).where(AuditEvent.id > after_id).order_by(AuditEvent.id)
        )
        return list(result.scalars())


async def last_event_id(app: FastAPI) -> int:
    rows = await audit_rows(app)
    return rows[-1].id if rows else 0


Action = Callable[[httpx.AsyncClient, Account, dict[str, Account]], Awaitable[httpx.Response]]


async def _create(
    client: httpx.AsyncClient, admin: Account, _: dict[str, Account]
) -> httpx.Response:
    body = {"email": "audit-new@example.org", "role": "participant", "display_name": "New"}
    return await client.post("/v1/admin/users", json=body, headers=admin.headers)


async def _rename(
    client: httpx.AsyncClient, admin: Account, who: dict[str, Account]
) -> httpx.Response:
    path = f"/v1/admin/users/{who['participant'].id}"
    return await client.patch(path, json={"display_name": "Renamed"}, headers=admin.headers)


async def _deactivate(
    client: httpx.AsyncClient, admin: Account, who: dict[str, Account]
) -> httpx.Response:
    path = f"/v1/admin/users/{who['participant'].id}"
    return await client.patch(path, json={"is_active": False}, headers=admin.headers)


async def _rename_clinician(
    client: httpx.AsyncClient, admin: Account, who: dict[str, Account]
) -> httpx.Response:
    path = f"/v1/admin/users/{who['clinician'].id}"
    return await client.patch(path, json={"display_name": "Dr. R"}, headers=admin.headers)


async def _code(
    client: httpx.AsyncClient, admin: Account, who: dict[str, Account]
) -> httpx.Response:
    path = f"/v1/admin/users/{who['participant'].id}/activation-code"
    return await client.post(path, headers=admin.headers)


async def _assign(
    client: httpx.AsyncClient, admin: Account, who: dict[str, Account]
) -> httpx.Response:
    path = f"/v1/admin/participants/{who['participant'].id}/clinician"
    body = {"clinician_id": str(who["clinician"].id)}
    return await client.put(path, json=body, headers=admin.headers)


async def _reassign(
    client: httpx.AsyncClient, admin: Account, who: dict[str, Account]
) -> httpx.Response:
    await _assign(client, admin, who)
    path = f"/v1/admin/participants/{who['participant'].id}/clinician"
    body = {"clinician_id": str(who["other_clinician"].id)}
    return await client.put(path, json=body, headers=admin.headers)


async def _unassign(
    client: httpx.AsyncClient, admin: Account, who: dict[str, Account]
) -> httpx.Response:
    await _assign(client, admin, who)
    path = f"/v1/admin/participants/{who['participant'].id}/clinician"
    return await client.delete(path, headers=admin.headers)


# (action, expected audit action, target whose id is the subject, participant expected?)
CASES: list[tuple[Action, str, str | None, bool]] = [
    (_create, "account.create", None, True),
    (_rename, "account.update", "participant", True),
    (_rename_clinician, "account.update", "clinician", False),
    (_deactivate, "account.deactivate", "participant", True),
    (_code, "account.activation_code_issue", "participant", True),
    (_assign, "assignment.set", "clinician", True),
    (_reassign, "assignment.set", "other_clinician", True),
    (_unassign, "assignment.end", "clinician", True),
]


@pytest.mark.parametrize(("act", "action", "subject", "has_participant"), CASES)
async def test_each_admin_action_records_exactly_one_event(
    client: httpx.AsyncClient,
    accounts: Accounts,
    app: FastAPI,
    act: Action,
    action: str,
    subject: str | None,
    has_participant: bool,
) -> None:
    admin = await accounts.make(Role.admin)
    who = {
        "participant": await accounts.make(Role.participant),
        "clinician": await accounts.make(Role.clinician),
        "other_clinician": await accounts.make(Role.clinician),
    }
    if act in (_reassign, _unassign):
        await _assign(client, admin, who)  # the preparatory step is not under test
    before = await last_event_id(app)

    response = await act(client, admin, who)

    assert response.status_code < 300, response.text
    (event,) = await audit_rows(app, before)
    if subject is None:  # a new account: the response says which
        subject_id = uuid.UUID(response.json()["user"]["id"])
        participant_id: uuid.UUID | None = subject_id
    else:
        subject_id = who[subject].id
        participant_id = who["participant"].id if has_participant else None
    assert event.action == action
    assert event.outcome == "success"
    assert (event.actor_id, event.actor_role) == (admin.id, "admin")
    assert event.subject_id == subject_id
    assert event.participant_id == participant_id
    assert event.request_id == response.headers["x-request-id"]


async def test_failed_admin_actions_record_nothing(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    before = await last_event_id(app)
    responses = [
        await client.post(
            "/v1/admin/users",
            json={"email": participant.email, "role": "participant", "display_name": "Dup"},
            headers=admin.headers,
        ),
        await client.patch(
            f"/v1/admin/users/{admin.id}", json={"is_active": False}, headers=admin.headers
        ),
        await client.put(
            f"/v1/admin/participants/{participant.id}/clinician",
            json={"clinician_id": str(admin.id)},
            headers=admin.headers,
        ),
        await client.delete(
            f"/v1/admin/participants/{participant.id}/clinician", headers=admin.headers
        ),
        # A PATCH that changes nothing records nothing.
        await client.patch(f"/v1/admin/users/{participant.id}", json={}, headers=admin.headers),
    ]
    assert [r.status_code for r in responses] == [409, 409, 422, 404, 200]
    assert await audit_rows(app, before) == []


async def test_audit_rows_hold_no_email_name_or_code(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    created = await client.post(
        "/v1/admin/users",
        json={"email": "secret.person@example.org", "role": "participant", "display_name": "Zed"},
        headers=admin.headers,
    )
    user_id = created.json()["user"]["id"]
    code = await client.post(f"/v1/admin/users/{user_id}/activation-code", headers=admin.headers)
    secrets = [
        "secret.person",
        "Zed",
        created.json()["activation_code"],
        code.json()["activation_code"],
    ]
    events = await client.get(EVENTS, headers=admin.headers)
    rows = await accounts.sql("SELECT * FROM audit_events")
    dumped = events.text + repr(rows)
    assert len(events.json()["items"]) == 2
    for secret in secrets:
        assert secret not in dumped


async def _seed_trail(
    client: httpx.AsyncClient, accounts: Accounts
) -> tuple[Account, Account, Account, Account]:
    """Two admins act on two participants; returns (admin_a, admin_b, p1, p2)."""
    admin_a = await accounts.make(Role.admin)
    admin_b = await accounts.make(Role.admin)
    p1 = await accounts.make(Role.participant)
    p2 = await accounts.make(Role.participant)
    clinician = await accounts.make(Role.clinician)
    for admin, participant in ((admin_a, p1), (admin_b, p2), (admin_a, p2)):
        await client.put(
            f"/v1/admin/participants/{participant.id}/clinician",
            json={"clinician_id": str(clinician.id)},
            headers=admin.headers,
        )
        await client.patch(
            f"/v1/admin/users/{participant.id}",
            json={"display_name": f"Name {uuid.uuid4().hex[:6]}"},
            headers=admin.headers,
        )
    await client.delete(f"/v1/admin/participants/{p1.id}/clinician", headers=admin_b.headers)
    return admin_a, admin_b, p1, p2


async def _get(client: httpx.AsyncClient, admin: Account, **params: Any) -> list[dict[str, Any]]:
    response = await client.get(EVENTS, params=params, headers=admin.headers)
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_audit_events_filter_by_actor_participant_and_action(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin_a, admin_b, p1, p2 = await _seed_trail(client, accounts)

    everything = await _get(client, admin_a)
    by_b = await _get(client, admin_a, actor_id=str(admin_b.id))
    about_p1 = await _get(client, admin_a, participant_id=str(p1.id))
    sets_about_p2 = await _get(client, admin_a, participant_id=str(p2.id), action="assignment.set")
    ends = await _get(client, admin_a, action="assignment.end")

    assert len(everything) == 6
    assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    assert len(by_b) == 3
    assert {e["actor_id"] for e in by_b} == {str(admin_b.id)}
    assert [e["action"] for e in about_p1] == ["assignment.end", "account.update", "assignment.set"]
    assert {e["participant_id"] for e in about_p1} == {str(p1.id)}
    # The second assignment of p2 to the same clinician was a no-op and recorded nothing.
    assert [e["actor_id"] for e in sets_about_p2] == [str(admin_b.id)]
    assert [(e["participant_id"], e["actor_id"]) for e in ends] == [(str(p1.id), str(admin_b.id))]
    item = ends[0]
    assert set(item) == {
        "id",
        "occurred_at",
        "actor_id",
        "actor_role",
        "action",
        "participant_id",
        "subject_id",
        "outcome",
        "request_id",
        "client_request_id",
        "actor_display_name",
    }


async def test_audit_events_filter_by_time_window(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin_a, _, _, _ = await _seed_trail(client, accounts)
    everything = await _get(client, admin_a)
    middle = everything[3]
    at = datetime.fromisoformat(middle["occurred_at"])
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()

    since = await _get(client, admin_a, since=at.isoformat())
    until = await _get(client, admin_a, until=at.isoformat())
    window = await _get(client, admin_a, since=past, until=future)
    none = await _get(client, admin_a, since=future)

    assert middle["id"] in [e["id"] for e in since]
    assert middle["id"] not in [e["id"] for e in until]
    assert all(datetime.fromisoformat(e["occurred_at"]) >= at for e in since)
    assert all(datetime.fromisoformat(e["occurred_at"]) < at for e in until)
    assert len(since) + len(until) == len(everything)
    assert len(window) == len(everything)
    assert none == []


async def test_audit_events_paginate_newest_first_without_gaps(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin_a, _, _, _ = await _seed_trail(client, accounts)
    everything = await _get(client, admin_a)

    pages: list[list[int]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        response = await client.get(EVENTS, params=params, headers=admin_a.headers)
        assert response.status_code == 200
        pages.append([item["id"] for item in response.json()["items"]])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break

    assert [len(page) for page in pages] == [4, 2]
    assert [i for page in pages for i in page] == [e["id"] for e in everything]
    # A filter holds across pages.
    first = await client.get(
        EVENTS, params={"limit": 1, "action": "account.update"}, headers=admin_a.headers
    )
    second = await client.get(
        EVENTS,
        params={"limit": 5, "action": "account.update", "cursor": first.json()["next_cursor"]},
        headers=admin_a.headers,
    )
    actions = [e["action"] for e in first.json()["items"] + second.json()["items"]]
    assert actions == ["account.update"] * 3
    assert second.json()["next_cursor"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "%%%"},
        {"cursor": "WyJhdWRpdCIsIjEyIl0"},  # ["audit","12"]: not a number
        {"cursor": "WyJhdWRpdCIsdHJ1ZV0"},  # ["audit",true]
        {"cursor": "WyJhdWRpdCIsLTFd"},  # ["audit",-1]
        {"cursor": "WyJ1c2VycyIsNV0"},  # ["users",5]: another list's cursor
        {"cursor": "W1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1s"},  # [[[[...
        {"actor_id": "not-a-uuid"},
        {"participant_id": "123"},
        {"action": "journal.peek"},
        {"since": "2026-01-01T10:00:00"},  # no offset
        {"until": "yesterday"},
        {"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"limit": 0},
        {"limit": 201},
    ],
)
async def test_audit_events_reject_bad_queries(
    client: httpx.AsyncClient, accounts: Accounts, params: dict[str, Any]
) -> None:
    admin = await accounts.make(Role.admin)
    response = await client.get(EVENTS, params=params, headers=admin.headers)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"].startswith("query.")


async def test_audit_events_include_sign_ins_of_other_roles(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    signed = await client.post(
        "/v1/auth/token", data={"username": participant.email, "password": TEST_PASSWORD}
    )
    assert signed.status_code == 200
    events = await _get(client, admin, participant_id=str(participant.id))
    assert [(e["action"], e["actor_id"]) for e in events] == [("auth.sign_in", str(participant.id))]
