"""The caseload's "Due questionnaires" column: the rule of `GET /v1/me/assessments/due`
(never completed, or `every_days` passed), PHQ-9 only behind its gate, for a whole page."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.console import console_session, get_page, post_form
from tests.helpers import SUPPORT, ago, assign, care_team, submit


def row_of(html: str, name: str) -> str:
    match = re.search(rf'<th scope="row"><a href="[^"]+">{name}</a></th>.*?</tr>', html, re.S)
    assert match is not None, name
    return match.group(0)


def day(when: datetime) -> str:
    return f"{when.day} {when:%b}"


async def schedule(
    client: httpx.AsyncClient, clinician: Account, who: Account, instrument: str, days: int
) -> None:
    url = f"/v1/clinician/participants/{who.id}/assessment-schedules/{instrument}"
    response = await client.put(url, json={"every_days": days}, headers=clinician.headers)
    assert response.status_code == 200, response.text


async def test_the_caseload_shows_what_each_participant_is_due(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (never, done, late, _unscheduled) = await care_team(
        client, accounts, participants=4
    )
    for who in (never, done, late):
        await schedule(client, clinician, who, "gad-7", 14)
    await submit(client, done, instrument="gad-7", completed_at=ago(hours=1))
    await submit(client, late, instrument="gad-7", completed_at=ago(days=15))
    me = await console_session(app, clinician)

    page = await get_page(client, me, "/console/")

    assert page.status_code == 200, page.text
    assert "Due questionnaires" in page.text
    now = datetime.now(UTC)
    assert f"GAD-7 since {day(now)}" in row_of(page.text, "P000")
    assert "GAD-7" not in row_of(page.text, "P001") and "none due" in row_of(page.text, "P001")
    assert f"GAD-7 since {day(now - timedelta(days=1))}" in row_of(page.text, "P002")
    assert "none due" in row_of(page.text, "P003")


async def test_phq9_is_due_on_the_caseload_only_behind_its_gate(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam, alex) = await care_team(client, accounts, participants=2)
    await client.put("/v1/admin/support-resources", json=SUPPORT, headers=admin.headers)
    for who in (sam, alex):
        await schedule(client, clinician, who, "phq-9", 14)
    me = await console_session(app, clinician)
    # Sam's own rules switch the item 9 rule off: PHQ-9 cannot be asked of Sam.
    switched = await post_form(
        client, me, f"/console/participants/{sam.id}/alert-rules/phq9-self-harm-thoughts/switch"
    )

    page = await get_page(client, me, "/console/")
    api_due = await client.get("/v1/me/assessments/due", headers=sam.headers)
    empty = {"message": "Ask your care team.", "resources": []}
    await client.put("/v1/admin/support-resources", json=empty, headers=admin.headers)
    closed = await get_page(client, me, "/console/")

    assert switched.status_code == 303
    assert "PHQ-9 since" not in row_of(page.text, "P000") and api_due.json() == []
    assert "PHQ-9 since" in row_of(page.text, "P001")
    assert "PHQ-9 since" not in closed.text


async def test_the_due_day_is_the_participants_own(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    """UTC-11 and UTC+14 are on different days from UTC for most of every UTC day."""
    admin = await accounts.make(Role.admin)
    clinician = await accounts.make(Role.clinician)
    zones = {"Pago": "Pacific/Pago_Pago", "Kiri": "Pacific/Kiritimati"}
    for name, zone in zones.items():
        who = await accounts.make(display_name=name, timezone=zone)
        await assign(client, admin, who, clinician)
        await schedule(client, clinician, who, "gad-7", 14)
    me = await console_session(app, clinician)

    page = await get_page(client, me, "/console/")

    for name, zone in zones.items():
        own_today = datetime.now(ZoneInfo(zone))
        assert f"GAD-7 since {day(own_today)}" in row_of(page.text, name)
