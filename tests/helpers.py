"""Small helpers the tests share: entries, care teams, times, scopes for service calls."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.access import ParticipantScope, own_scope
from app.auth.identity import Identity, SignedInUser
from app.users.models import Role
from tests.conftest import Account, Accounts


def entry_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "recorded_at": "2026-11-20T08:30:00+01:00",
        "mood": 7,
        "focus": 6,
        "anxiety": 3,
        "creativity": 5,
        "connection": None,
        "note": "Slept well.",
        "tags": ["walk", "good-sleep"],
    }
    body.update(overrides)
    return body


async def count_entries(accounts: Accounts) -> int:
    rows = await accounts.sql("SELECT count(*) FROM journal_entries")
    return int(str(rows[0][0]))


async def post_entry(client: httpx.AsyncClient, who: Account, **overrides: Any) -> httpx.Response:
    return await client.post("/v1/me/entries", json=entry_body(**overrides), headers=who.headers)


async def assign(
    client: httpx.AsyncClient, admin: Account, participant: Account, clinician: Account
) -> None:
    response = await client.put(
        f"/v1/admin/participants/{participant.id}/clinician",
        json={"clinician_id": str(clinician.id)},
        headers=admin.headers,
    )
    assert response.status_code in (200, 201), response.text


async def care_team(
    client: httpx.AsyncClient, accounts: Accounts, participants: int = 1
) -> tuple[Account, Account, list[Account]]:
    admin = await accounts.make(Role.admin)
    clinician = await accounts.make(Role.clinician, display_name="Dr. Okafor")
    people = [await accounts.make(display_name=f"P{i:03d}") for i in range(participants)]
    for person in people:
        await assign(client, admin, person, clinician)
    return admin, clinician, people


def ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def own_scope_of(account: Account, timezone: str = "UTC") -> ParticipantScope:
    """The participant's own scope, made the way a request of theirs makes it."""
    now = datetime.now(UTC)
    user = SignedInUser(account.id, account.email, Role.participant, "", timezone, True, now, now)
    return own_scope(Identity(user, uuid.uuid4(), request_id=None))


def created_entry(response: httpx.Response) -> dict[str, Any]:
    """The entry of a create's answer, as a GET answers it (without the create's `support`,
    which this asserts is absent: the default rules raise nothing urgent from one entry)."""
    body = dict(response.json())
    assert body.pop("support") is None, body
    return body


SUPPORT = {
    "message": "If you need to talk to someone now, they are there for you.",
    "resources": [{"name": "Clinic on-call line", "description": "Day and night.",
                   "phone": "+44 20 7946 0000"}],
}  # fmt: skip
ITEMS = {"phq-9": 9, "phq-8": 8, "gad-7": 7, "who-5": 5}
TOP = {"phq-9": 3, "phq-8": 3, "gad-7": 3, "who-5": 5}


def answers_for(instrument: str, total: int) -> list[int]:
    """Answers that add up to `total`, filled from the first item (PHQ-9's item 9 stays 0)."""
    answers = [0] * ITEMS[instrument]
    fillable = ITEMS[instrument] - (1 if instrument == "phq-9" else 0)
    for index in range(fillable):
        answers[index] = min(TOP[instrument], total - sum(answers))
    assert sum(answers) == total
    return answers


def assessment_body(instrument: str = "gad-7", **overrides: Any) -> dict[str, Any]:
    answers = overrides.pop("answers", None) or answers_for(instrument, 8)
    return {"instrument": instrument, "completed_at": ago(hours=1), "answers": answers, **overrides}


async def submit(client: httpx.AsyncClient, who: Account, **overrides: Any) -> httpx.Response:
    """POST an assessment (GAD-7 with a total of 8 unless `overrides` say otherwise)."""
    return await client.post(
        "/v1/me/assessments", json=assessment_body(**overrides), headers=who.headers
    )
