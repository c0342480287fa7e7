"""Admin routes are for admins: other roles get 403, anonymous callers 401, and nothing changes."""

import httpx

from app.users.models import Role
from tests.conftest import Accounts

PROBLEM = "application/problem+json"


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
