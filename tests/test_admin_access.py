"""Admin routes are for admins: other roles get 403, anonymous callers 401, and nothing changes."""

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.care.models import CareAssignment
from app.users.models import Role, User
from tests.conftest import Account, Accounts

PROBLEM = "application/problem+json"


def admin_requests(participant: Account, clinician: Account) -> list[tuple[str, str, Any]]:
    users = "/v1/admin/users"
    care = f"/v1/admin/participants/{participant.id}/clinician"
    return [
        ("POST", users, {"email": "x@example.org", "role": "admin", "display_name": "X"}),
        ("GET", users, None),
        ("GET", f"{users}/{participant.id}", None),
        ("PATCH", f"{users}/{clinician.id}", {"is_active": False}),
        ("POST", f"{users}/{participant.id}/activation-code", None),
        ("PUT", care, {"clinician_id": str(clinician.id)}),
        ("DELETE", care, None),
        ("GET", care, None),
        ("GET", "/v1/admin/audit-events", None),
        ("GET", "/v1/admin/approvals", None),
        # No such request: only who may ask is under test here.
        ("POST", f"/v1/admin/approvals/{participant.id}/approve", None),
        ("POST", f"/v1/admin/approvals/{participant.id}/reject", None),
    ]


async def snapshot(app: FastAPI) -> tuple[int, ...]:
    async with app.state.sessionmaker() as session:
        counts = []
        for model in (User, AuditEvent, CareAssignment):
            count = await session.execute(select(func.count()).select_from(model))
            counts.append(int(count.scalar_one()))
        active = await session.execute(select(func.count()).where(User.is_active.is_(True)))
        counts.append(int(active.scalar_one()))
        return tuple(counts)


def test_every_admin_route_is_covered(app: FastAPI) -> None:
    dummy = Account(uuid.uuid4(), "", Role.participant, "", "")
    covered = {(method, path) for method, path, _ in admin_requests(dummy, dummy)}
    paths = app.openapi()["paths"]
    documented = {
        (
            method.upper(),
            path.replace("{participant_id}", str(dummy.id))
            .replace("{user_id}", str(dummy.id))
            .replace("{approval_id}", str(dummy.id)),
        )
        for path, operations in paths.items()
        if path.startswith("/v1/admin")
        for method in operations
    }
    assert documented == covered


@pytest.mark.parametrize("role", [Role.participant, Role.clinician, None])
async def test_only_admins_reach_admin_routes(
    client: httpx.AsyncClient, accounts: Accounts, app: FastAPI, role: Role | None
) -> None:
    participant = await accounts.make(Role.participant)
    clinician = await accounts.make(Role.clinician)
    await accounts.make(Role.admin, signed_in=False)
    callers = {Role.participant: participant, Role.clinician: clinician}
    caller = callers.get(role) if role else None
    headers = caller.headers if caller else {}
    before = await snapshot(app)

    for method, path, body in admin_requests(participant, clinician):
        response = await client.request(method, path, json=body, headers=headers)
        expected = 403 if caller else 401
        assert response.status_code == expected, (method, path, response.text)
        assert response.headers["content-type"] == PROBLEM

    assert await snapshot(app) == before


async def test_a_deactivated_admin_is_refused_at_once(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    other = await accounts.make(Role.admin)
    deactivated = await client.patch(
        f"/v1/admin/users/{other.id}", json={"is_active": False}, headers=admin.headers
    )
    assert deactivated.status_code == 200
    assert (await client.get("/v1/admin/users", headers=other.headers)).status_code == 401
