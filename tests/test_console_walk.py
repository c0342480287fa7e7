"""Every console page: its headers, no inline script or style, the alert and review flows,
the same audit events as the API's reads, and admin pages free of journal content."""

import re
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.console.site import CONTENT_SECURITY_POLICY
from tests.conftest import Account, Accounts
from tests.console import ConsoleUser, console_session, get_page, post_form
from tests.helpers import SUPPORT, care_team, post_entry, submit

DISTINCTIVE_NOTE = "Quokka-zebra note 7781"
DISTINCTIVE_TAG = "marmoset-tag"


def days_ago(days: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days, minutes=1)).isoformat()


async def anxious_days(client: httpx.AsyncClient, who: Account) -> None:
    for days in (2, 1, 0):
        response = await post_entry(
            client,
            who,
            recorded_at=days_ago(days),
            anxiety=9,
            note=DISTINCTIVE_NOTE,
            note_shared=True,
            tags=[DISTINCTIVE_TAG],
        )
        assert response.status_code == 201, response.text


def assert_console_headers(response: httpx.Response) -> None:
    headers = response.headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store"


def assert_no_inline_script_or_style(html: str) -> None:
    assert "style=" not in html
    assert "<style" not in html
    for match in re.finditer(r"<script([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in match.group(1) and match.group(2).strip() == ""


async def walk(client: httpx.AsyncClient, who: ConsoleUser, paths: list[str]) -> list[str]:
    pages = []
    for path in paths:
        response = await get_page(client, who, path)
        assert response.status_code == 200, (path, response.text)
        assert_console_headers(response)
        assert_no_inline_script_or_style(response.text)
        pages.append(response.text)
    return pages


async def test_every_page_carries_the_headers_and_no_inline_script_or_style(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (person,) = await care_team(client, accounts)
    await anxious_days(client, person)
    assert (await submit(client, person)).status_code == 201
    me = await console_session(app, clinician)
    boss = await console_session(app, admin)

    clinician_paths = [
        "/console/",
        "/console/?q=P0&attention=true",
        "/console/alerts",
        "/console/alerts?status=open",
        "/console/alerts?status=",
        f"/console/participants/{person.id}",
    ]
    await walk(client, me, clinician_paths)
    admin_paths = [
        "/console/admin/accounts",
        f"/console/admin/participants/{person.id}",
        "/console/admin/audit",
        "/console/admin/overdue",
        "/console/admin/alert-rules",
        "/console/admin/support",
    ]
    await walk(client, boss, admin_paths)
    client.cookies.clear()
    for path in ("/console/sign-in", "/console/static/console.css", "/console/nowhere"):
        response = await client.get(path)
        assert_console_headers(response)
        assert_no_inline_script_or_style(response.text)
    for path in ("/console/", "/console/admin/accounts"):
        assert_console_headers(await client.get(path))  # the redirect to sign in
    created = await post_form(
        client,
        boss,
        "/console/admin/accounts",
        {"email": "x@example.org", "role": "participant", "display_name": "X"},
    )
    assert_console_headers(created)
    assert_no_inline_script_or_style(created.text)


async def test_admin_pages_show_no_journal_content(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, _, (person,) = await care_team(client, accounts)
    await anxious_days(client, person)
    assert (await submit(client, person)).status_code == 201
    await client.put("/v1/admin/support-resources", json=SUPPORT, headers=admin.headers)
    boss = await console_session(app, admin)
    paths = [
        "/console/admin/accounts",
        f"/console/admin/accounts?q={person.email}",
        f"/console/admin/participants/{person.id}",
        "/console/admin/audit",
        f"/console/admin/audit?participant_id={person.id}",
        "/console/admin/overdue",
        "/console/admin/alert-rules",
        "/console/admin/support",
    ]
    for html in await walk(client, boss, paths):
        for content in (DISTINCTIVE_NOTE, DISTINCTIVE_TAG, "Anxiety 8 or higher", "GAD-7"):
            assert content not in html


async def test_acknowledge_resolve_and_review_from_the_console(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person,) = await care_team(client, accounts)
    await anxious_days(client, person)
    me = await console_session(app, clinician)
    inbox = (await client.get("/v1/clinician/alerts", headers=clinician.headers)).json()
    alert_id = inbox["items"][0]["id"]

    acknowledged = await post_form(client, me, f"/console/alerts/{alert_id}/acknowledge")
    resolved = await post_form(
        client, me, f"/console/alerts/{alert_id}/resolve", {"resolution_note": "Called them."}
    )
    reviewed = await post_form(client, me, f"/console/participants/{person.id}/review-mark")

    assert [r.status_code for r in (acknowledged, resolved, reviewed)] == [303, 303, 303]
    after = (await client.get("/v1/clinician/alerts", headers=clinician.headers)).json()
    assert after["items"][0]["status"] == "resolved"
    assert after["items"][0]["resolution_note"] == "Called them."
    page = await get_page(client, me, f"/console/participants/{person.id}?done=reviewed")
    assert "Everything up to now is marked reviewed." in page.text
    assert "<dt>Unreviewed entries</dt><dd>0</dd>" in page.text
    assert DISTINCTIVE_NOTE in page.text  # shared, so shown


async def test_an_unshared_note_is_not_shown(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person,) = await care_team(client, accounts)
    await post_entry(
        client, person, recorded_at=days_ago(1), note="private words", note_shared=False
    )
    page = await get_page(
        client, await console_session(app, clinician), f"/console/participants/{person.id}"
    )
    assert "private words" not in page.text and "not shared" in page.text


async def test_the_participant_page_records_the_reads_the_api_records(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person,) = await care_team(client, accounts)
    me = await console_session(app, clinician)

    await get_page(client, me, f"/console/participants/{person.id}")

    events = await accounts.rows(
        select(AuditEvent.action, AuditEvent.actor_id).where(AuditEvent.participant_id == person.id)
    )
    reads = {action for action, actor in events if actor == clinician.id}
    assert reads >= {
        "clinician.read_profile",
        "clinician.read_summary",
        "clinician.read_entries",
        "clinician.read_assessments",
        "clinician.read_notes",
    }


async def test_a_covering_backup_opens_the_page_but_cannot_mark_reviewed(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    from tests.test_authorization_matrix import build_world

    world = await build_world(client, accounts)
    covering = await console_session(app, world.accounts["covering_clinician"])
    participant = world.participant.id

    page = await get_page(client, covering, f"/console/participants/{participant}")
    marked = await post_form(client, covering, f"/console/participants/{participant}/review-mark")

    assert page.status_code == 200 and "You are covering" in page.text
    assert marked.status_code == 403


async def test_the_inbox_filters_by_state(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person,) = await care_team(client, accounts)
    await anxious_days(client, person)
    me = await console_session(app, clinician)

    open_alerts = await get_page(client, me, "/console/alerts?status=open")
    resolved = await get_page(client, me, "/console/alerts?status=resolved")
    bad = await get_page(client, me, "/console/alerts?status=lost")

    assert "Anxiety 8 or higher" in open_alerts.text
    assert "Anxiety 8 or higher" not in resolved.text and "No alerts." in resolved.text
    assert bad.status_code == 422
