"""The audit trail cannot be rewritten: on PostgreSQL a trigger refuses UPDATE and DELETE."""

import httpx
import pytest
from sqlalchemy.exc import DBAPIError

from app.users.models import Role
from tests.conftest import Accounts


@pytest.mark.postgres_only("the append-only trigger is PostgreSQL's; SQLite has no API path to it")
@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET outcome = 'failure'",
        "UPDATE audit_events SET actor_id = NULL WHERE id = (SELECT min(id) FROM audit_events)",
        "DELETE FROM audit_events",
    ],
)
async def test_audit_events_refuse_update_and_delete_on_postgres(
    client: httpx.AsyncClient, accounts: Accounts, is_postgres: bool, statement: str
) -> None:
    admin = await accounts.make(Role.admin)
    created = await client.post(
        "/v1/admin/users",
        json={"email": "new@example.org", "role": "participant", "display_name": "New"},
        headers=admin.headers,
    )
    assert created.status_code == 201
    before = await accounts.sql("SELECT id, action, outcome, actor_id FROM audit_events")
    assert before
    with pytest.raises(DBAPIError, match="append-only"):
        await accounts.sql(statement)
    assert await accounts.sql("SELECT id, action, outcome, actor_id FROM audit_events") == before
