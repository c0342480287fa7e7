"""The audit trail and the access log cannot be rewritten by the people they describe: a
reader's name is kept as it was, profile changes are audited (fields, not values), and the
request id is the server's, with the client's kept beside it."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import Boolean, String, Uuid, column, insert, select, table, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from app.db import UTCDateTime
from app.migrations import alembic_config
from app.users.models import Role
from tests.conftest import Account, Accounts


async def _assign(
    client: httpx.AsyncClient, admin: Account, participant: Account, clinician: Account
) -> None:
    response = await client.put(
        f"/v1/admin/participants/{participant.id}/clinician",
        json={"clinician_id": str(clinician.id)},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text


async def _care_team(accounts: Accounts, client: httpx.AsyncClient) -> tuple[Account, Account]:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant, display_name="Sam")
    clinician = await accounts.make(Role.clinician, display_name="Dr. Ada Okafor")
    await _assign(client, admin, participant, clinician)
    return participant, clinician


def _reads(log: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [
        (item["accessor"], item["data"]) for item in log if item["accessor_role"] == "clinician"
    ]


async def test_access_log_keeps_the_readers_name_as_it_was_when_they_read(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    participant, clinician = await _care_team(accounts, client)
    entries = f"/v1/clinician/participants/{participant.id}/entries"
    assert (await client.get(entries, headers=clinician.headers)).status_code == 200

    renamed = await client.patch(
        "/v1/me", json={"display_name": "Dr. Someone Else"}, headers=clinician.headers
    )
    assert renamed.status_code == 200
    summary = f"/v1/clinician/participants/{participant.id}/summary"
    assert (await client.get(summary, headers=clinician.headers)).status_code == 200

    log = (await client.get("/v1/me/access-log", headers=participant.headers)).json()["items"]
    assert _reads(log) == [("Dr. Someone Else", "summary"), ("Dr. Ada Okafor", "entries")]
    export = await client.get("/v1/me/export?format=json", headers=participant.headers)
    assert _reads(export.json()["access_log"]) == [
        ("Dr. Ada Okafor", "entries"),
        ("Dr. Someone Else", "summary"),
    ]


async def test_admin_audit_read_shows_the_name_each_actor_acted_under(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    participant, clinician = await _care_team(accounts, client)
    admin = await accounts.make(Role.admin, display_name="Clinic Office")
    profile = f"/v1/clinician/participants/{participant.id}"
    await client.get(profile, headers=clinician.headers)
    await client.patch("/v1/me", json={"display_name": "Dr. A. O."}, headers=clinician.headers)

    events = await client.get(
        "/v1/admin/audit-events", params={"actor_id": str(clinician.id)}, headers=admin.headers
    )

    names = [(e["action"], e["actor_display_name"]) for e in events.json()["items"]]
    assert names == [
        ("profile.display_name_change", "Dr. Ada Okafor"),
        ("clinician.read_profile", "Dr. Ada Okafor"),
    ]


@pytest.mark.parametrize("role", [Role.participant, Role.clinician, Role.admin])
async def test_profile_changes_are_audited_by_field_never_by_value(
    client: httpx.AsyncClient, accounts: Accounts, role: Role
) -> None:
    account = await accounts.make(role, display_name="Kim", timezone="UTC")
    body = {"display_name": "Kim Lindqvist", "timezone": "Europe/Stockholm"}

    response = await client.patch("/v1/me", json=body, headers=account.headers)
    again = await client.patch("/v1/me", json=body, headers=account.headers)  # no change

    assert response.status_code == again.status_code == 200
    rows = await accounts.sql(
        "SELECT action, actor_id, subject_id, participant_id, request_id FROM audit_events"
        " ORDER BY id"
    )
    participant_id = account.id if role is Role.participant else None
    assert [(r[0], _uuid(r[1]), _uuid(r[2]), _uuid(r[3])) for r in rows] == [
        ("profile.display_name_change", account.id, account.id, participant_id),
        ("profile.timezone_change", account.id, account.id, participant_id),
    ]
    assert {r[4] for r in rows} == {response.headers["x-request-id"]}
    everything = " ".join(str(value) for row in await _all_audit_columns(accounts) for value in row)
    assert "Lindqvist" not in everything and "Stockholm" not in everything


def _uuid(value: object) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(str(value))


async def _all_audit_columns(accounts: Accounts) -> list[tuple[object, ...]]:
    return await accounts.sql("SELECT * FROM audit_events")


async def test_audit_request_id_is_the_servers_and_the_clients_is_kept_beside_it(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    participant, clinician = await _care_team(accounts, client)
    admin = await accounts.make(Role.admin)
    path = f"/v1/clinician/participants/{participant.id}"

    sent = await client.get(path, headers={**clinician.headers, "X-Request-ID": "dash-7731"})
    unsafe = await client.get(path, headers={**clinician.headers, "X-Request-ID": "<b>x</b>"})
    forged = await client.get(path, headers={**clinician.headers, "X-Request-ID": "dash-7731"})

    assert sent.headers["x-client-request-id"] == "dash-7731"
    assert "x-client-request-id" not in unsafe.headers
    server_ids = [r.headers["x-request-id"] for r in (sent, unsafe, forged)]
    assert len(set(server_ids)) == 3 and "dash-7731" not in server_ids
    events = await client.get(
        "/v1/admin/audit-events",
        params={"actor_id": str(clinician.id), "action": "clinician.read_profile"},
        headers=admin.headers,
    )
    ids = [(e["request_id"], e["client_request_id"]) for e in events.json()["items"]]
    assert ids == [
        (server_ids[2], "dash-7731"),
        (server_ids[1], None),
        (server_ids[0], "dash-7731"),
    ]


@pytest.mark.parametrize("value", [2**63, -1, True, "12", 1.5])
async def test_access_log_cursor_with_a_value_out_of_range_is_422(
    client: httpx.AsyncClient, accounts: Accounts, value: object
) -> None:
    from app.pagination import encode_cursor

    participant = await accounts.make(Role.participant)

    response = await client.get(
        "/v1/me/access-log",
        params={"cursor": encode_cursor("access-log", [value])},
        headers=participant.headers,
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "bad-cursor"


# --- the migration that adds the names: old events get the actor's name of upgrade time ---

BEFORE, NAMES = "c0a1e2a5e001", "c0a1e2a5e002"
OLD_USERS = table(
    "users",
    *(column(name, String()) for name in ("email", "role", "display_name", "timezone")),
    column("id", Uuid()),
    column("is_active", Boolean()),
    *(column(name, UTCDateTime()) for name in ("created_at", "updated_at")),
)
OLD_AUDIT = table(
    "audit_events",
    column("occurred_at", UTCDateTime()),
    column("actor_id", Uuid()),
    *(column(name, String()) for name in ("actor_role", "action", "outcome", "request_id")),
)


async def _seed_old_trail(url: str) -> dict[str, uuid.UUID]:
    now = datetime.now(UTC)
    ids = {role: uuid.uuid4() for role in ("clinician", "admin", "participant")}
    users = [
        {"id": user_id, "email": f"{role}@example.org", "role": role, "display_name": role.title(),
         "timezone": "UTC", "is_active": True, "created_at": now, "updated_at": now}
        for role, user_id in ids.items()
    ]  # fmt: skip
    events = [
        {"occurred_at": now, "actor_id": user_id, "actor_role": role, "action": "x",
         "outcome": "success", "request_id": "r"}
        for role, user_id in ids.items()
    ]  # fmt: skip
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(OLD_USERS), users)
            await connection.execute(insert(OLD_AUDIT), events)
    finally:
        await engine.dispose()
    return ids


async def _names_and_update(url: str) -> tuple[dict[str, object], bool]:
    """Each actor role's recorded name, and whether an UPDATE of the trail is refused."""
    names = table("audit_events", column("actor_role", String()), column("actor_display_name"))
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(names.c.actor_role, names.c.actor_display_name))
            recorded = {str(role): name for role, name in rows}
        try:
            async with engine.begin() as connection:
                await connection.execute(text("UPDATE audit_events SET outcome = 'failure'"))
            refused = False
        except DBAPIError:
            refused = True
        return recorded, refused
    finally:
        await engine.dispose()


def test_names_migration_fills_staff_names_of_old_events_and_is_reversible(
    unmigrated_url: str,
) -> None:
    config = alembic_config(unmigrated_url)
    command.upgrade(config, BEFORE)
    asyncio.run(_seed_old_trail(unmigrated_url))

    command.upgrade(config, NAMES)
    recorded, refused = asyncio.run(_names_and_update(unmigrated_url))

    assert recorded == {"clinician": "Clinician", "admin": "Admin", "participant": None}
    # The append-only trigger is back on afterwards (PostgreSQL; SQLite has none).
    assert refused == unmigrated_url.startswith("postgresql")
    command.downgrade(config, BEFORE)
    command.upgrade(config, NAMES)
