"""One door to participant data: every statement on a participant-owned table is built from
a scope made by app.access, and each role's requests reach such data only by their own way in.

The check itself (tests/one_door.py) runs on every statement of every test: any test whose
requests make the app touch participant data without a scope fails. These tests show that
the check can fail, that a scope cannot be made elsewhere, and which way in each role uses."""

import ast
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from app.access import ParticipantScope, Reader
from app.audit.service import Actor
from app.db import Base, participant_owned_tables
from app.journal.models import JournalEntry
from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import care_team, own_scope_of, post_entry
from tests.one_door import DoorGuard

APP = Path(__file__).resolve().parent.parent / "app"
# Names that make or mark a scope: used by app/access alone.
DOOR_KEYS = {
    "_mint_scope",
    "_mint_caseload",
    "_mint_oversight",
    "_mint_sweep",
    "_MINT",
    "ACCESS_OPTION",
}
# Ways in that only one package may take: the service's own sweep is the sweeper's.
RESERVED_WAYS_IN = {"sweep_for": "sweeper"}
# Tables with a `participant_id` that are not the participant's data: the care relation
# (the admin's, and what a scope is decided from), the audit trail (the clinic's record) and
# requests awaiting a second admin's approval (about an account, never its content), and
# webhook deliveries (an integration's delivery log: event ids, types and sending states).
NOT_PARTICIPANT_DATA = {
    "care_assignments",
    "care_backups",
    "care_coverings",
    "audit_events",
    "admin_approvals",
    "webhook_deliveries",
}


def test_participant_owned_tables_are_declared_and_keyed_by_participant() -> None:
    owned = {table.name for table in participant_owned_tables()}
    with_participant = {t.name for t in Base.metadata.sorted_tables if "participant_id" in t.c}

    assert owned == {
        "journal_entries",
        "journal_counters",
        "journal_days",
        "review_marks",
        "clinician_notes",
        "participant_alert_rules",
        "alerts",
        "domain_events",
        "assessments",
        "assessment_schedules",
        "experience_reports",
        "integration_consents",
    }
    # A new table with a participant_id must be classified: owned, or deliberately not.
    assert with_participant == owned | NOT_PARTICIPANT_DATA


async def test_a_statement_built_outside_the_door_is_caught(app: FastAPI) -> None:
    guard: DoorGuard = app.state.door_guard
    async with app.state.sessionmaker() as session:
        await session.execute(select(JournalEntry).where(JournalEntry.mood > 5))

    caught, guard.violations[:] = list(guard.violations), []
    assert len(caught) == 1 and "journal_entries" in caught[0]


async def test_a_template_run_without_a_scope_is_caught(app: FastAPI, accounts: Accounts) -> None:
    from app.journal.queries import LIVE_ENTRY_ROWS

    guard: DoorGuard = app.state.door_guard
    sam = await accounts.make()
    async with app.state.sessionmaker() as session:
        await session.execute(LIVE_ENTRY_ROWS, own_scope_of(sam).bind())
        with pytest.raises(StatementError):  # and the database would not run it either
            await session.execute(LIVE_ENTRY_ROWS, {"participant_id": sam.id})

    caught, guard.violations[:] = list(guard.violations), []
    assert caught == ["template on ['journal_entries'] run without a scope"]


def test_a_scope_is_made_by_the_access_package_only() -> None:
    actor = Actor(uuid.uuid4(), "clinician", None)
    with pytest.raises(TypeError):
        ParticipantScope(uuid.uuid4(), Reader.primary_clinician, actor, "UTC")
    users = []
    for path in APP.rglob("*.py"):
        if path.parent.name == "access":
            continue
        names = {
            node.id for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Name)
        }
        names |= {
            alias.name
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.ImportFrom)
            for alias in node.names
        }
        users += [f"{path.relative_to(APP)}: {name}" for name in sorted(names & DOOR_KEYS)]
        users += [
            f"{path.relative_to(APP)}: {name}"
            for name, package in RESERVED_WAYS_IN.items()
            if name in names and path.parent.name != package
        ]
    assert users == []


async def _participant_requests(client: httpx.AsyncClient, sam: Account) -> None:
    created = (await post_entry(client, sam, note="mine")).json()
    url = f"/v1/me/entries/{created['id']}"
    for method, path, body in [
        ("GET", "/v1/me/entries", None),
        ("GET", url, None),
        ("PATCH", url, {"mood": 2}),
        ("GET", "/v1/me/entries/changes", None),
        ("GET", "/v1/me/summary", None),
        ("GET", "/v1/me/export", None),
        ("GET", "/v1/me/export?format=csv", None),
        ("DELETE", url, None),
    ]:
        response = await client.request(method, path, json=body, headers=sam.headers)
        assert response.status_code < 300, (path, response.text)


async def test_each_role_reaches_participant_data_only_by_its_own_way_in(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    guard: DoorGuard = app.state.door_guard
    admin, clinician, (sam,) = await care_team(client, accounts)
    guard.seen.clear()

    await _participant_requests(client, sam)
    participant_readers = guard.readers()
    guard.seen.clear()

    base = f"/v1/clinician/participants/{sam.id}"
    mark = {"reviewed_through": "2026-11-01T00:00:00Z"}
    for method, path, body in [
        ("GET", "/v1/clinician/participants", None),
        ("GET", base, None),
        ("GET", f"{base}/entries", None),
        ("GET", f"{base}/summary", None),
        ("PUT", f"{base}/review-mark", mark),
        ("GET", f"{base}/review-mark", None),
    ]:
        response = await client.request(method, path, json=body, headers=clinician.headers)
        assert response.status_code == 200, (path, response.text)
    clinician_readers = guard.readers()
    guard.seen.clear()

    for path in ["/v1/admin/users", f"/v1/admin/users/{sam.id}", "/v1/admin/audit-events"]:
        assert (await client.get(path, headers=admin.headers)).status_code == 200
    admin_readers = guard.readers()

    assert participant_readers == {Reader.participant.value}
    assert clinician_readers == {Reader.primary_clinician.value, "caseload"}
    assert admin_readers == set()


async def test_an_unassigned_clinician_is_stopped_at_the_door(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    guard: DoorGuard = app.state.door_guard
    _admin, _clinician, (sam,) = await care_team(client, accounts)
    await post_entry(client, sam)
    stranger = await accounts.make(Role.clinician)
    guard.seen.clear()

    for suffix in ("", "/entries", "/summary", "/review-mark"):
        path = f"/v1/clinician/participants/{sam.id}{suffix}"
        assert (await client.get(path, headers=stranger.headers)).status_code == 404

    assert guard.seen == []  # refused before any participant data was touched


def test_a_caseload_reaches_only_the_participants_it_listed() -> None:
    from app.access.ways_in import caseload_of
    from app.auth.identity import Identity, SignedInUser
    from app.journal.queries import ENTRIES

    now = datetime.now(UTC)
    clinician = SignedInUser(
        uuid.uuid4(), "c@example.org", Role.clinician, "C", "UTC", True, now, now
    )
    caseload = caseload_of(Identity(clinician, uuid.uuid4(), request_id=None))
    listed, other = uuid.uuid4(), uuid.uuid4()
    caseload.remember([listed])

    caseload.select(ENTRIES, among=[listed])
    with pytest.raises(ValueError, match="not listed"):
        caseload.select(ENTRIES, among=[listed, other])
