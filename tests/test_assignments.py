"""Care assignments over HTTP: assign, reassign, unassign, history and concurrency."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from app.audit.models import AuditEvent
from app.care.models import CareAssignment
from app.care.periods import list_assignment_history
from app.care.service import get_open_assignment
from app.db import utcnow
from app.users.models import Role, User
from tests.conftest import Account, Accounts

PROBLEM = "application/problem+json"


def clinician_path(participant_id: uuid.UUID | str) -> str:
    return f"/v1/admin/participants/{participant_id}/clinician"


async def assign(
    client: httpx.AsyncClient, admin: Account, participant_id: uuid.UUID, clinician_id: Any
) -> httpx.Response:
    return await client.put(
        clinician_path(participant_id),
        json={"clinician_id": str(clinician_id)},
        headers=admin.headers,
    )


async def assignment_rows(app: FastAPI, participant_id: uuid.UUID) -> list[CareAssignment]:
    async with app.state.sessionmaker() as session:
        result = await session.execute(
            select(CareAssignment)
            .where(CareAssignment.participant_id == participant_id)
            .order_by(CareAssignment.started_at)
        )
        return list(result.scalars())


async def count_rows(app: FastAPI, model: type[Any]) -> int:
    async with app.state.sessionmaker() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_assigning_a_clinician_returns_the_assignment(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    clinician = await accounts.make(Role.clinician, display_name="Dr. Ada Okafor")

    response = await assign(client, admin, participant.id, clinician.id)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["participant_id"] == str(participant.id)
    assert body["clinician_id"] == str(clinician.id)
    assert body["clinician_display_name"] == "Dr. Ada Okafor"
    assert body["assigned_by"] == str(admin.id)
    assert body["started_at"]


async def test_reassigning_closes_the_previous_assignment_and_keeps_history(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    first = await accounts.make(Role.clinician, display_name="First")
    second = await accounts.make(Role.clinician, display_name="Second")

    assert (await assign(client, admin, participant.id, first.id)).status_code == 200
    response = await assign(client, admin, participant.id, second.id)

    assert response.status_code == 200
    assert response.json()["clinician_id"] == str(second.id)
    rows = await assignment_rows(app, participant.id)
    assert len(rows) == 2
    closed, current = rows
    assert (closed.clinician_id, current.clinician_id) == (first.id, second.id)
    assert closed.ended_at is not None
    assert closed.ended_by == admin.id
    assert closed.ended_at <= current.started_at
    assert current.ended_at is None
    async with app.state.sessionmaker() as session:
        history = await list_assignment_history(session, participant.id)
        open_one = await get_open_assignment(session, participant.id)
    assert [item.clinician_display_name for item in history] == ["First", "Second"]
    assert [item.ended_at is None for item in history] == [False, True]
    assert open_one is not None
    assert open_one.clinician_id == second.id


async def test_assigning_the_current_clinician_again_changes_nothing(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    clinician = await accounts.make(Role.clinician)
    first = await assign(client, admin, participant.id, clinician.id)
    events = await count_rows(app, AuditEvent)

    again = await assign(client, admin, participant.id, clinician.id)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert len(await assignment_rows(app, participant.id)) == 1
    assert await count_rows(app, AuditEvent) == events


async def test_unassigning_ends_the_assignment_and_keeps_it_in_history(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    clinician = await accounts.make(Role.clinician)
    await assign(client, admin, participant.id, clinician.id)

    response = await client.delete(clinician_path(participant.id), headers=admin.headers)

    assert response.status_code == 204
    assert response.content == b""
    (row,) = await assignment_rows(app, participant.id)
    assert row.ended_at is not None
    assert row.ended_by == admin.id
    again = await client.delete(clinician_path(participant.id), headers=admin.headers)
    assert again.status_code == 404
    assert again.headers["content-type"] == PROBLEM
    # A new assignment after an unassignment opens a second row.
    assert (await assign(client, admin, participant.id, clinician.id)).status_code == 200
    assert [r.ended_at is None for r in await assignment_rows(app, participant.id)] == [
        False,
        True,
    ]


async def test_unassigning_a_participant_without_clinician_is_not_found(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    response = await client.delete(clinician_path(participant.id), headers=admin.headers)
    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["participant", "admin", "unknown", "inactive", "erased"])
async def test_only_an_active_clinician_can_be_assigned(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI, kind: str
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    if kind == "unknown":
        target_id = uuid.uuid4()
    elif kind in ("participant", "admin"):
        target_id = (await accounts.make(Role(kind))).id
    else:
        target_id = (await accounts.make(Role.clinician)).id
        async with app.state.sessionmaker() as session, session.begin():
            values = {"is_active": False} if kind == "inactive" else {"erased_at": utcnow()}
            await session.execute(update(User).where(User.id == target_id).values(**values))
    events = await count_rows(app, AuditEvent)

    response = await assign(client, admin, participant.id, target_id)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert [error["field"] for error in response.json()["errors"]] == ["body.clinician_id"]
    assert await assignment_rows(app, participant.id) == []
    assert await count_rows(app, AuditEvent) == events


async def test_an_inactive_clinician_cannot_replace_the_current_one(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    current = await accounts.make(Role.clinician)
    retired = await accounts.make(Role.clinician)
    await assign(client, admin, participant.id, current.id)
    deactivated = await client.patch(
        f"/v1/admin/users/{retired.id}", json={"is_active": False}, headers=admin.headers
    )
    assert deactivated.status_code == 200

    response = await assign(client, admin, participant.id, retired.id)

    assert response.status_code == 422
    (row,) = await assignment_rows(app, participant.id)
    assert (row.clinician_id, row.ended_at) == (current.id, None)


@pytest.mark.parametrize("kind", ["clinician", "admin", "unknown", "erased"])
async def test_only_a_participant_can_be_assigned_a_clinician(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI, kind: str
) -> None:
    admin = await accounts.make(Role.admin)
    clinician = await accounts.make(Role.clinician)
    if kind == "unknown":
        target_id = uuid.uuid4()
    elif kind == "erased":
        target_id = (await accounts.make(Role.participant)).id
        async with app.state.sessionmaker() as session, session.begin():
            await session.execute(
                update(User).where(User.id == target_id).values(erased_at=utcnow())
            )
    else:
        target_id = (await accounts.make(Role(kind))).id

    put = await assign(client, admin, target_id, clinician.id)
    delete = await client.delete(clinician_path(target_id), headers=admin.headers)

    assert (put.status_code, delete.status_code) == (404, 404)
    assert put.headers["content-type"] == PROBLEM
    assert await count_rows(app, CareAssignment) == 0


@pytest.mark.parametrize(
    ("path_id", "body", "bad_field"),
    [
        ("not-a-uuid", None, "path.participant_id"),
        (None, {"clinician_id": "not-a-uuid"}, "body.clinician_id"),
        (None, {"clinician_id": "\x00"}, "body.clinician_id"),
        (None, {}, "body.clinician_id"),
        (None, {"extra": 1}, "body.extra"),
    ],
)
async def test_assign_rejects_bad_input_and_stores_nothing(
    client: httpx.AsyncClient,
    accounts: Accounts,
    app: FastAPI,
    path_id: str | None,
    body: dict[str, Any] | None,
    bad_field: str,
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    clinician = await accounts.make(Role.clinician)
    payload = {"clinician_id": str(clinician.id)} if body is None else body
    if "extra" in payload:
        payload |= {"clinician_id": str(clinician.id)}

    response = await client.put(
        clinician_path(path_id or participant.id), json=payload, headers=admin.headers
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert bad_field in [error["field"] for error in response.json()["errors"]]
    assert await count_rows(app, CareAssignment) == 0


async def test_concurrent_assignments_leave_exactly_one_open(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    clinicians = [await accounts.make(Role.clinician, signed_in=False) for _ in range(10)]

    responses = await asyncio.gather(
        *(assign(client, admin, participant.id, clinician.id) for clinician in clinicians)
    )

    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    rows = await assignment_rows(app, participant.id)
    open_rows = [row for row in rows if row.ended_at is None]
    assert len(rows) == 10
    assert len(open_rows) == 1
    assert {row.clinician_id for row in rows} == {c.id for c in clinicians}
    async with app.state.sessionmaker() as session:
        sets = await session.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "assignment.set")
        )
    assert sets.scalar_one() == 10


async def test_previous_clinician_loses_access_on_the_next_request(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    before = await accounts.make(Role.clinician)
    after = await accounts.make(Role.clinician)
    profile = f"/v1/clinician/participants/{participant.id}"
    await assign(client, admin, participant.id, before.id)
    assert (await client.get(profile, headers=before.headers)).status_code == 200

    await assign(client, admin, participant.id, after.id)

    assert (await client.get(profile, headers=before.headers)).status_code == 404
    assert (await client.get(profile, headers=after.headers)).status_code == 200
    await client.delete(clinician_path(participant.id), headers=admin.headers)
    assert (await client.get(profile, headers=after.headers)).status_code == 404
