"""Every route and every role: the documented status, and denied requests change nothing.

A route missing from MATRIX fails `test_every_route_has_rules`, so no route ships without
its access rules."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from sqlalchemy import insert

from app.care.models import CareCovering
from app.config import Settings
from app.db import utcnow
from app.main import create_app
from app.users.models import Role
from tests.conftest import TEST_PASSWORD, Account, Accounts
from tests.helpers import ago, entry_body
from tests.integration_helpers import consent, register, token_headers

# Denied callers go first, the owner last, so that a destructive call by the owner
# (delete, logout, erase) cannot hide what the others were allowed to do.
ROLES = (
    "anonymous",
    "other_participant",
    "unassigned_clinician",
    # An integration client the participant consents to, with every scope (a client token).
    "integration",
    "admin",
    # The participant's backup clinician while covering an escalation: reads as the primary
    # does, but only the primary reviews (a backup not covering is tests/test_care_team.py's).
    "covering_clinician",
    "assigned_clinician",
    "participant",
)
# Rows a denied request must leave untouched (failed sign-ins are counted and audited by design).
GUARDED_TABLES = (
    "users",
    "journal_entries",
    "journal_counters",
    "care_assignments",
    "care_backups",
    "care_coverings",
    "domain_events",
    "review_marks",
    "clinician_notes",
    "support_settings",
    "clinic_alert_rules",
    "participant_alert_rules",
    "alerts",
    "assessments",
    "assessment_schedules",
    "experience_reports",
    "auth_sessions",
    "refresh_tokens",
    "activation_codes",
    "integration_clients",
    "integration_consents",
    "webhook_endpoints",
)


@dataclass
class World:
    accounts: dict[str, Account]
    entry_id: str
    integration_id: str
    integration_headers: dict[str, str]

    def headers(self, role: str) -> dict[str, str]:
        if role == "integration":
            return self.integration_headers
        return {} if role == "anonymous" else self.accounts[role].headers

    @property
    def participant(self) -> Account:
        return self.accounts["participant"]


Body = Callable[[World, str], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    expected: dict[str, int]
    json: Body | None = None
    form: Body | None = None
    query: dict[str, str] = field(default_factory=dict)
    user: str = "participant"  # whose id `{user_id}` is


def public(status: int, **kwargs: Any) -> Rule:
    return Rule({role: status for role in ROLES}, **kwargs)


def everyone_signed_in(status: int, **kwargs: Any) -> Rule:
    """Every account; an integration's token is no account's (403)."""
    expected = {**{role: status for role in ROLES}, "anonymous": 401, "integration": 403}
    return Rule(expected, **kwargs)


def integration_only(status: int, **kwargs: Any) -> Rule:
    expected = dict.fromkeys(ROLES, 403)
    expected.update(anonymous=401, integration=status)
    return Rule(expected, **kwargs)


def participant_only(owner: int, other: int | None = None, **kwargs: Any) -> Rule:
    expected = dict.fromkeys(ROLES, 403)
    expected.update(anonymous=401, participant=owner, other_participant=other or owner)
    return Rule(expected, **kwargs)


def clinician_only(
    assigned: int, unassigned: int, covering: int | None = None, **kwargs: Any
) -> Rule:
    expected = dict.fromkeys(ROLES, 403)
    expected.update(
        anonymous=401,
        assigned_clinician=assigned,
        unassigned_clinician=unassigned,
        covering_clinician=assigned if covering is None else covering,
    )
    return Rule(expected, **kwargs)


def admin_only(status: int, **kwargs: Any) -> Rule:
    expected = dict.fromkeys(ROLES, 403)
    expected.update(anonymous=401, admin=status)
    return Rule(expected, **kwargs)


def new_entry(_world: World, _role: str) -> dict[str, Any]:
    return entry_body()


def new_assessment(_world: World, _role: str) -> dict[str, Any]:
    return {"instrument": "gad-7", "completed_at": ago(hours=1), "answers": [1, 2, 1, 0, 1, 2, 1]}


def new_report(_world: World, _role: str) -> dict[str, Any]:
    return {"occurred_at": ago(hours=1), "severity": "mild", "description": "Dizzy.",
            "shared": False}  # fmt: skip


def new_user(_world: World, _role: str) -> dict[str, Any]:
    return {"email": f"new-{uuid.uuid4().hex[:8]}@example.org", "role": "participant",
            "display_name": "New"}  # fmt: skip


def sign_in_with_wrong_password(world: World, role: str) -> dict[str, Any]:
    email = world.accounts[role].email if role in world.accounts else "nobody@example.org"
    return {"username": email, "password": "not the right password at all"}


MATRIX: dict[tuple[str, str], Rule] = {
    # operations and documentation: public
    ("GET", "/healthz"): public(200),
    ("GET", "/readyz"): public(200),
    ("GET", "/openapi.json"): public(200),
    ("GET", "/docs"): public(200),
    ("GET", "/docs/oauth2-redirect"): public(200),
    ("GET", "/redoc"): public(200),
    # sign-in: public, and a wrong secret is 401 for everyone
    ("POST", "/v1/auth/token"): public(401, form=sign_in_with_wrong_password),
    ("POST", "/v1/auth/refresh"): public(401, json=lambda w, r: {"refresh_token": "rt_forged"}),
    ("POST", "/v1/auth/activate"): public(
        401,
        json=lambda w, r: {
            "email": "nobody@example.org",
            "activation_code": "AAAA-BBBB-CCCC",
            "password": "a quiet walk along the river at dawn",
        },
    ),
    ("POST", "/v1/auth/logout"): everyone_signed_in(204),
    ("POST", "/v1/me/password"): everyone_signed_in(
        204,
        json=lambda w, r: {
            "current_password": TEST_PASSWORD,
            "new_password": "another quiet walk by the sea at dusk",
        },
    ),
    ("GET", "/v1/me"): everyone_signed_in(200),
    ("PATCH", "/v1/me"): everyone_signed_in(200, json=lambda w, r: {"display_name": "Renamed"}),
    # the participant's own journal
    ("POST", "/v1/me/entries"): participant_only(201, json=new_entry),
    ("GET", "/v1/me/entries"): participant_only(200),
    ("GET", "/v1/me/entries/changes"): participant_only(200),
    ("GET", "/v1/me/entries/{entry_id}"): participant_only(200, 404),
    ("PATCH", "/v1/me/entries/{entry_id}"): participant_only(
        200, 404, json=lambda w, r: {"mood": 1}
    ),
    ("DELETE", "/v1/me/entries/{entry_id}"): participant_only(204, 404),
    ("GET", "/v1/me/summary"): participant_only(200),
    ("GET", "/v1/me/clinician"): participant_only(200),
    ("GET", "/v1/me/care-team"): participant_only(200),
    ("GET", "/v1/me/access-log"): participant_only(200),
    ("GET", "/v1/me/care-notes"): participant_only(200),
    ("GET", "/v1/me/support"): participant_only(200),
    ("GET", "/v1/me/security-notices"): participant_only(200),
    ("GET", "/v1/me/export"): participant_only(200),
    ("DELETE", "/v1/me"): participant_only(204),
    # assessments and experience reports
    ("POST", "/v1/me/assessments"): participant_only(201, json=new_assessment),
    ("GET", "/v1/me/assessments"): participant_only(200),
    ("GET", "/v1/me/assessments/due"): participant_only(200),
    # No assessment in this world: only who may ask is under test (tests/test_assessments.py).
    ("GET", "/v1/me/assessments/{assessment_id}"): participant_only(404, 404),
    ("POST", "/v1/me/experience-reports"): participant_only(201, json=new_report),
    ("GET", "/v1/me/experience-reports"): participant_only(200),
    # clinician review: assigned participants only
    ("GET", "/v1/clinician/participants"): clinician_only(200, 200),
    ("GET", "/v1/clinician/participants/{participant_id}"): clinician_only(200, 404),
    ("GET", "/v1/clinician/participants/{participant_id}/entries"): clinician_only(200, 404),
    ("GET", "/v1/clinician/participants/{participant_id}/summary"): clinician_only(200, 404),
    ("PUT", "/v1/clinician/participants/{participant_id}/review-mark"): clinician_only(
        200, 404, 403, json=lambda w, r: {"reviewed_through": "2026-11-01T00:00:00Z"}
    ),
    ("GET", "/v1/clinician/participants/{participant_id}/review-mark"): clinician_only(
        200, 404, 403
    ),
    ("POST", "/v1/clinician/participants/{participant_id}/notes"): clinician_only(
        201, 404, json=lambda w, r: {"text": "Seen today.", "visibility": "participant"}
    ),
    ("GET", "/v1/clinician/participants/{participant_id}/notes"): clinician_only(200, 404),
    ("GET", "/v1/clinician/participants/{participant_id}/alert-rules"): clinician_only(200, 404),
    ("PUT", "/v1/clinician/participants/{participant_id}/alert-rules"): clinician_only(
        200, 404, 403, json=lambda w, r: {"rules": []}
    ),
    ("GET", "/v1/clinician/participants/{participant_id}/assessments"): clinician_only(200, 404),
    ("GET", "/v1/clinician/participants/{participant_id}/assessment-schedules"): clinician_only(
        200, 404
    ),
    ("PUT", "/v1/clinician/participants/{participant_id}/assessment-schedules/{instrument}"): (
        clinician_only(200, 404, 403, json=lambda w, r: {"every_days": 7})
    ),
    ("DELETE", "/v1/clinician/participants/{participant_id}/assessment-schedules/{instrument}"): (
        clinician_only(204, 404, 403)
    ),
    ("GET", "/v1/clinician/participants/{participant_id}/experience-reports"): clinician_only(
        200, 404
    ),
    # An unknown note: only who may ask is under test (tests/test_notes.py reads real ones).
    ("GET", "/v1/clinician/participants/{participant_id}/notes/{note_id}"): clinician_only(
        404, 404
    ),
    # the validated instruments: any signed-in role
    ("GET", "/v1/instruments"): everyone_signed_in(200),
    ("GET", "/v1/instruments/{key}"): everyone_signed_in(200),
    # administration
    ("POST", "/v1/admin/users"): admin_only(201, json=new_user),
    ("GET", "/v1/admin/users"): admin_only(200),
    ("GET", "/v1/admin/users/{user_id}"): admin_only(200),
    ("PATCH", "/v1/admin/users/{user_id}"): admin_only(
        200, json=lambda w, r: {"display_name": "Renamed by admin"}
    ),
    # Of an account already tested (a recovery code ends the account's sessions).
    ("POST", "/v1/admin/users/{user_id}/activation-code"): admin_only(
        201, user="other_participant"
    ),
    ("PUT", "/v1/admin/participants/{participant_id}/clinician"): admin_only(
        200, json=lambda w, r: {"clinician_id": str(w.accounts["assigned_clinician"].id)}
    ),
    ("DELETE", "/v1/admin/participants/{participant_id}/clinician"): admin_only(204),
    ("GET", "/v1/admin/participants/{participant_id}/clinician"): admin_only(200),
    ("PUT", "/v1/admin/participants/{participant_id}/backup-clinician"): admin_only(
        200, json=lambda w, r: {"clinician_id": str(w.accounts["covering_clinician"].id)}
    ),
    ("DELETE", "/v1/admin/participants/{participant_id}/backup-clinician"): admin_only(204),
    ("GET", "/v1/admin/audit-events"): admin_only(200),
    ("GET", "/v1/admin/approvals"): admin_only(200),
    ("GET", "/v1/admin/support-resources"): admin_only(200),
    ("GET", "/v1/admin/alert-rules"): admin_only(200),
    ("GET", "/v1/admin/alerts/overdue"): admin_only(200),
    ("GET", "/v1/clinician/alerts"): clinician_only(200, 200),
    # No alert in this world: only who may ask is under test (tests/test_alert_inbox.py).
    ("POST", "/v1/clinician/alerts/{alert_id}/acknowledge"): clinician_only(404, 404),
    ("POST", "/v1/clinician/alerts/{alert_id}/resolve"): clinician_only(
        404, 404, json=lambda w, r: {"resolution_note": "Done."}
    ),
    ("PUT", "/v1/admin/alert-rules"): admin_only(200, json=lambda w, r: {"rules": []}),
    ("PUT", "/v1/admin/support-resources"): admin_only(
        200, json=lambda w, r: {"message": "We are here.", "resources": []}
    ),
    # integrations: admins manage clients, participants consent, clients read
    ("POST", "/v1/admin/integrations"): admin_only(
        201, json=lambda w, r: {"name": "Lab", "description": "", "scopes": ["alerts.read"]}
    ),
    ("GET", "/v1/admin/integrations"): admin_only(200),
    ("GET", "/v1/admin/integrations/{integration_id}"): admin_only(200),
    ("PATCH", "/v1/admin/integrations/{integration_id}"): admin_only(
        200, json=lambda w, r: {"description": "Renamed by admin"}
    ),
    ("POST", "/v1/admin/integrations/{integration_id}/secret"): admin_only(200),
    ("POST", "/v1/admin/integrations/{integration_id}/webhooks"): admin_only(
        201, json=lambda w, r: {"url": "https://93.184.215.14/hook", "events": ["alert.raised"]}
    ),
    ("GET", "/v1/admin/integrations/{integration_id}/webhooks"): admin_only(200),
    # An unknown endpoint: only who may ask is under test (tests/test_integrations_webhooks.py).
    ("GET", "/v1/admin/integrations/{integration_id}/webhooks/{webhook_id}"): admin_only(404),
    ("PATCH", "/v1/admin/integrations/{integration_id}/webhooks/{webhook_id}"): admin_only(
        404, json=lambda w, r: {"is_active": False}
    ),
    ("DELETE", "/v1/admin/integrations/{integration_id}/webhooks/{webhook_id}"): admin_only(404),
    # Deliveries of an unknown endpoint (tests/test_webhook_delivery.py has real ones).
    ("GET", "/v1/admin/integrations/{integration_id}/webhooks/{webhook_id}/deliveries"): (
        admin_only(404)
    ),
    (
        "POST",
        "/v1/admin/integrations/{integration_id}/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    ): admin_only(404),
    ("GET", "/v1/me/integrations"): participant_only(200),
    ("PUT", "/v1/me/integrations/{integration_id}/consent"): participant_only(200),
    ("DELETE", "/v1/me/integrations/{integration_id}/consent"): participant_only(204),
    ("GET", "/v1/integration/participants"): integration_only(200),
    ("GET", "/v1/integration/participants/{participant_id}/entries/changes"): integration_only(200),
    ("GET", "/v1/integration/participants/{participant_id}/assessments"): integration_only(200),
    ("GET", "/v1/integration/participants/{participant_id}/alerts"): integration_only(200),
    # FHIR R4: definitions are public; $everything is the participant's, their care team's
    # and a consenting integration's (with `fhir.read`), and anyone else's 404.
    ("GET", "/fhir/r4/metadata"): public(200),
    ("GET", "/fhir/r4/CodeSystem/journal-rating"): public(200),
    ("GET", "/fhir/r4/Questionnaire/{key}"): public(200),
    ("GET", "/fhir/r4/Patient/{participant_id}/$everything"): Rule(
        {
            **dict.fromkeys(ROLES, 200),
            "anonymous": 401,
            "other_participant": 404,
            "unassigned_clinician": 404,
            "admin": 404,
        }
    ),
    # No request pending in this world: only who may ask is under test.
    ("POST", "/v1/admin/approvals/{approval_id}/approve"): admin_only(404),
    ("POST", "/v1/admin/approvals/{approval_id}/reject"): admin_only(404),
}


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route, including those of included routers."""
    routes = set()
    for route in iter_route_contexts(app.routes):
        for method in route.methods or ():
            if method != "HEAD" and route.path is not None:
                routes.add((method, route.path))
    return routes


def routes_without_rules(app: FastAPI) -> set[tuple[str, str]]:
    return app_routes(app) - set(MATRIX)


def test_every_route_has_rules(settings: Settings) -> None:
    app = create_app(settings)
    assert routes_without_rules(app) == set()
    assert set(MATRIX) - app_routes(app) == set(), "rules for routes that no longer exist"


def test_a_route_added_without_rules_is_caught(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/v1/me/secret-new-thing")
    async def secret_new_thing() -> dict[str, str]:
        return {}

    assert routes_without_rules(app) == {("GET", "/v1/me/secret-new-thing")}


async def build_world(client: httpx.AsyncClient, accounts: Accounts) -> World:
    made = {
        "participant": await accounts.make(Role.participant),
        "other_participant": await accounts.make(Role.participant),
        "assigned_clinician": await accounts.make(Role.clinician),
        "unassigned_clinician": await accounts.make(Role.clinician),
        "covering_clinician": await accounts.make(Role.clinician),
        "admin": await accounts.make(Role.admin),
    }
    assigned = await client.put(
        f"/v1/admin/participants/{made['participant'].id}/clinician",
        json={"clinician_id": str(made["assigned_clinician"].id)},
        headers=made["admin"].headers,
    )
    assert assigned.status_code in (200, 201)
    backup = await client.put(
        f"/v1/admin/participants/{made['participant'].id}/backup-clinician",
        json={"clinician_id": str(made["covering_clinician"].id)},
        headers=made["admin"].headers,
    )
    assert backup.status_code == 200
    # As if an alert of the participant had been escalated and not yet resolved.
    await accounts.execute(
        insert(CareCovering).values(
            alert_id=uuid.uuid4(), participant_id=made["participant"].id, started_at=utcnow()
        )
    )
    entry = await client.post(
        "/v1/me/entries", json=entry_body(), headers=made["participant"].headers
    )
    assert entry.status_code == 201
    integration = await register(client, made["admin"])
    await consent(client, made["participant"], integration)
    headers = await token_headers(client, integration)
    return World(made, entry.json()["id"], integration.id, headers)


async def snapshot(accounts: Accounts) -> dict[str, list[tuple[object, ...]]]:
    return {
        table: sorted(await accounts.sql(f"SELECT * FROM {table}"), key=repr)  # noqa: S608
        for table in GUARDED_TABLES
    }


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX), ids=lambda v: str(v))
async def test_route_answers_each_role_as_documented(
    client: httpx.AsyncClient, accounts: Accounts, method: str, path: str
) -> None:
    rule = MATRIX[(method, path)]
    world = await build_world(client, accounts)
    url = path.format(
        entry_id=world.entry_id,
        participant_id=world.participant.id,
        user_id=world.accounts[rule.user].id,
        approval_id=uuid.uuid4(),
        key="gad-7",
        note_id=uuid.uuid4(),
        alert_id=uuid.uuid4(),
        assessment_id=uuid.uuid4(),
        instrument="gad-7",
        integration_id=world.integration_id,
        webhook_id=uuid.uuid4(),
        delivery_id=uuid.uuid4(),
    )
    for role in ROLES:
        before = await snapshot(accounts)
        response = await client.request(
            method,
            url,
            params=rule.query,
            headers=world.headers(role),
            json=rule.json(world, role) if rule.json else None,
            data=rule.form(world, role) if rule.form else None,
        )
        assert response.status_code == rule.expected[role], (role, response.text)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json"
            assert await snapshot(accounts) == before, f"{role}'s denied request changed data"
        if response.status_code == 401:
            assert response.headers["www-authenticate"] == "Bearer"
