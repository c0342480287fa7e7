"""Every console route and every role: the documented answer, and denied requests change
nothing. A console route missing from MATRIX fails `test_every_console_route_has_rules`."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from app.config import Settings
from app.main import create_app
from tests.conftest import Accounts
from tests.console import SAME_ORIGIN, ConsoleUser, console_session
from tests.test_authorization_matrix import GUARDED_TABLES, World, build_world, snapshot

# Denied callers first, the admin last: its changes (ending an assignment) come after.
ROLES = (
    "signed_out",
    "participant",
    "unassigned_clinician",
    "covering_clinician",
    "assigned_clinician",
    "admin",
)
CLINICIANS = ("unassigned_clinician", "covering_clinician", "assigned_clinician")
OUT = 303  # to the sign-in page

Form = Callable[[World, str], dict[str, str]]


def no_form(_world: World, _role: str) -> dict[str, str]:
    return {}


@dataclass(frozen=True)
class Rule:
    expected: dict[str, int]
    form: Form = field(default=no_form)


def signed_out_go_to_sign_in(**statuses: int) -> dict[str, int]:
    return {"signed_out": OUT, "participant": OUT, **statuses}


def clinician_page(
    assigned: int, unassigned: int, covering: int, admin: int = 403, form: Form = no_form
) -> Rule:
    expected = signed_out_go_to_sign_in(
        unassigned_clinician=unassigned,
        covering_clinician=covering,
        assigned_clinician=assigned,
        admin=admin,
    )
    return Rule(expected, form)


def admin_page(status: int, form: Form = no_form) -> Rule:
    return Rule(signed_out_go_to_sign_in(**dict.fromkeys(CLINICIANS, 403), admin=status), form)


def new_account(_world: World, role: str) -> dict[str, str]:
    return {"email": f"new-{role}@example.org", "role": "participant", "display_name": "New"}


def primary(world: World, _role: str) -> dict[str, str]:
    return {"clinician_id": str(world.accounts["assigned_clinician"].id)}


def backup(world: World, _role: str) -> dict[str, str]:
    return {"clinician_id": str(world.accounts["covering_clinician"].id)}


def note(_world: World, _role: str) -> dict[str, str]:
    return {"text": "Seen today.", "visibility": "care_team"}


def schedule(_world: World, _role: str) -> dict[str, str]:
    return {"instrument": "gad-7", "every_days": "14"}


def rule_change(_world: World, _role: str) -> dict[str, str]:
    return {"value": "7", "severity": "routine"}


def support_contacts(_world: World, _role: str) -> dict[str, str]:
    return {"message": "Help is here.", "r0-name": "On-call", "r0-description": "Answers."}


def resolution(_world: World, _role: str) -> dict[str, str]:
    return {"resolution_note": "Called."}


def sign_in_form(world: World, _role: str) -> dict[str, str]:
    return {"email": world.participant.email, "password": "not the password"}


PID = "/participants/{participant_id}"
MATRIX: dict[tuple[str, str], Rule] = {
    ("GET", "/sign-in"): Rule(
        {"signed_out": 200, "participant": 200, **dict.fromkeys(CLINICIANS, 303), "admin": 303}
    ),
    ("POST", "/sign-in"): Rule(dict.fromkeys(ROLES, 401), sign_in_form),
    ("POST", "/sign-out"): Rule(dict.fromkeys(ROLES, 303)),
    ("GET", "/"): clinician_page(200, 200, 200, admin=303),
    ("GET", "/alerts"): clinician_page(200, 200, 200),
    ("POST", "/alerts/{alert_id}/acknowledge"): clinician_page(404, 404, 404),
    ("POST", "/alerts/{alert_id}/resolve"): clinician_page(404, 404, 404, form=resolution),
    ("GET", PID): clinician_page(200, 404, 200),
    ("POST", PID + "/review-mark"): clinician_page(303, 404, 403),
    ("POST", PID + "/notes"): clinician_page(303, 404, 303, form=note),
    ("POST", PID + "/schedules"): clinician_page(303, 404, 403, form=schedule),
    ("POST", PID + "/alert-rules/{key}/switch"): clinician_page(303, 404, 403),
    ("POST", PID + "/alert-rules/{key}"): clinician_page(303, 404, 403, form=rule_change),
    ("POST", PID + "/schedules/{instrument}/stop"): clinician_page(303, 404, 403),
    ("GET", "/admin/accounts"): admin_page(200),
    ("POST", "/admin/accounts"): admin_page(201, new_account),
    ("POST", "/admin/accounts/{user_id}/deactivate"): admin_page(303),
    ("POST", "/admin/accounts/{user_id}/reactivate"): admin_page(303),
    ("POST", "/admin/accounts/{user_id}/activation-code"): admin_page(201),
    ("GET", "/admin" + PID): admin_page(200),
    ("POST", "/admin" + PID + "/clinician"): admin_page(303, primary),
    ("POST", "/admin" + PID + "/clinician/end"): admin_page(303),
    ("POST", "/admin" + PID + "/backup"): admin_page(303, backup),
    ("POST", "/admin" + PID + "/backup/end"): admin_page(303),
    ("GET", "/admin/audit"): admin_page(200),
    ("GET", "/admin/overdue"): admin_page(200),
    ("GET", "/admin/alert-rules"): admin_page(200),
    ("POST", "/admin/alert-rules/{key}/switch"): admin_page(303),
    ("GET", "/admin/support"): admin_page(200),
    ("POST", "/admin/support"): admin_page(303, support_contacts),
}


def console_routes(app: FastAPI) -> set[tuple[str, str]]:
    (mount,) = [
        route for route in app.routes if isinstance(route, Mount) and route.name == "console"
    ]
    console = mount.app.app  # type: ignore[attr-defined]  # ConsoleGuard around the app
    return {
        (method, route.path)
        for route in iter_route_contexts(console.routes)
        for method in route.methods or ()
        if method != "HEAD" and route.path is not None
    }


def test_every_console_route_has_rules(settings: Settings) -> None:
    routes = console_routes(create_app(settings))
    assert routes - set(MATRIX) == set()
    assert set(MATRIX) - routes == set(), "rules for routes that no longer exist"


def test_every_console_route_is_kept_out_of_the_openapi(settings: Settings) -> None:
    paths = create_app(settings).openapi()["paths"]
    assert not [path for path in paths if path.startswith("/console")]


@pytest.mark.parametrize(("method", "path"), sorted(MATRIX), ids=lambda v: str(v))
async def test_console_route_answers_each_role_as_documented(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts, method: str, path: str
) -> None:
    rule = MATRIX[(method, path)]
    world = await build_world(client, accounts)
    target = world.accounts["other_participant"]
    sessions: dict[str, ConsoleUser] = {
        role: await console_session(app, world.accounts[role]) for role in ROLES[1:]
    }
    url = "/console" + path.format(
        participant_id=world.participant.id,
        user_id=target.id,
        alert_id=uuid.uuid4(),
        instrument="gad-7",
        key="anxiety-high-3d",
    )
    for role in ROLES:
        before = await snapshot(accounts)
        who = sessions.get(role)
        headers = {**SAME_ORIGIN, **(who.headers if who else {})}
        data = {**rule.form(world, role), **({"csrf_token": who.csrf_token} if who else {})}
        client.cookies.clear()
        response = await client.request(
            method, url, headers=headers, data=data if method == "POST" else None
        )
        assert response.status_code == rule.expected[role], (role, response.text)
        if response.status_code != 303:
            assert response.headers["content-type"].startswith("text/html")
        if response.status_code >= 400 or role in ("signed_out", "participant"):
            after = await snapshot(accounts)
            changed = [table for table in GUARDED_TABLES if after[table] != before[table]]
            # A refused sign-in is counted and audited by design; nothing else may change.
            assert changed == [], f"{role}'s denied request changed {changed}"
