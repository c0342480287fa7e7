"""The console's clinician and admin pages, over HTTP like the rest of the suite."""

import httpx
from fastapi import FastAPI

from app.users.models import Role
from tests.conftest import Accounts
from tests.console import chart_points, console_session, get_page, post_form
from tests.helpers import SUPPORT, ago, assign, care_team, post_entry, submit
from tests.test_clinician import StatementCounter


async def test_clinician_sees_their_caseload_in_attention_order(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, people = await care_team(client, accounts, participants=2)
    await post_entry(client, people[1], recorded_at=ago(hours=2))
    await accounts.make(display_name="Not Mine")
    me = await console_session(app, clinician)

    response = await get_page(client, me, "/console/")

    assert response.status_code == 200, response.text
    assert "P000" in response.text and "P001" in response.text
    assert "Not Mine" not in response.text
    assert response.text.index("P001") < response.text.index("P000")  # unreviewed first
    assert "entries you have not reviewed" in response.text


async def test_participant_page_draws_a_point_per_day_with_entries(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person,) = await care_team(client, accounts)
    for days in (1, 2, 5):
        await post_entry(client, person, recorded_at=ago(days=days), note=None)
    me = await console_session(app, clinician)

    response = await get_page(client, me, f"/console/participants/{person.id}")

    assert response.status_code == 200, response.text
    # 5 dimensions drawn over 30 and 90 days; connection is never rated in these entries.
    assert chart_points(response.text) == 3 * 4 * 2


async def test_admin_pages_render(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, _, (person,) = await care_team(client, accounts)
    me = await console_session(app, admin)
    for path in (
        "/console/admin/accounts",
        "/console/admin/accounts?role=clinician&q=okafor",
        "/console/admin/accounts?role=&q=",
        "/console/admin/audit?actor_id=&participant_id=&action=&outcome=&since=&until=",
        f"/console/admin/audit?participant_id={person.id}&action=assignment.set&since=2026-01-01",
        f"/console/admin/participants/{person.id}",
        "/console/admin/audit",
        "/console/admin/overdue",
    ):
        response = await get_page(client, me, path)
        assert response.status_code == 200, (path, response.text)


async def test_admin_creates_an_account_and_sees_its_code_once(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    me = await console_session(app, admin)
    fields = {"email": "new.clinician@example.org", "role": "clinician", "display_name": "Dr New"}

    created = await post_form(client, me, "/console/admin/accounts", fields)

    assert created.status_code == 201, created.text
    assert 'id="activation-code"' in created.text
    listing = await get_page(client, me, "/console/admin/accounts")
    assert "Dr New" in listing.text and 'id="activation-code"' not in listing.text


async def test_a_bad_filter_is_a_friendly_422_page(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    me = await console_session(app, await accounts.make(Role.admin))
    for path in ("/console/admin/accounts?role=wizard", "/console/admin/audit?actor_id=nope"):
        response = await get_page(client, me, path)
        assert response.status_code == 422, response.text
        assert "Please check the form" in response.text


async def test_the_caseload_page_issues_the_same_statements_for_1_and_30_participants(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    await client.put("/v1/admin/support-resources", json=SUPPORT, headers=admin.headers)
    counts = []
    for size in (1, 30):
        clinician = await accounts.make(Role.clinician)
        for i in range(size):
            person = await accounts.make(display_name=f"N{i:03d}")
            await assign(client, admin, person, clinician)
            await post_entry(client, person, recorded_at=ago(days=i % 9))
            for instrument in ("gad-7", "phq-9"):  # the due column: schedules, the PHQ-9 gate
                url = f"/v1/clinician/participants/{person.id}/assessment-schedules/{instrument}"
                put = await client.put(url, json={"every_days": 7}, headers=clinician.headers)
                assert put.status_code == 200, put.text
            await submit(client, person, instrument="gad-7", completed_at=ago(days=i % 9))
        me = await console_session(app, clinician)
        seen = []
        for _view in ("first, every line drawn", "again, the lines kept"):
            with StatementCounter(app) as counter:
                page = await get_page(client, me, "/console/")
            assert page.text.count('href="/console/participants/') == size
            assert page.text.count("PHQ-9 since") == size
            assert page.text.count('<svg class="sparkline') == 2 * size
            seen.append(counter.count)
        assert seen[1] == seen[0] - 1  # the days of the kept lines are not read again
        counts.append(seen)
    assert counts[0] == counts[1]


async def test_an_admin_switches_a_default_alert_rule_off_and_on(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    me = await console_session(app, admin)

    async def enabled() -> bool:
        rules = (await client.get("/v1/admin/alert-rules", headers=admin.headers)).json()
        return bool(next(r for r in rules["rules"] if r["key"] == "anxiety-high-3d")["enabled"])

    assert await enabled()
    off = await post_form(client, me, "/console/admin/alert-rules/anxiety-high-3d/switch")
    assert off.status_code == 303 and not await enabled()
    await post_form(client, me, "/console/admin/alert-rules/anxiety-high-3d/switch")
    assert await enabled()
    unknown = await post_form(client, me, "/console/admin/alert-rules/no-such-rule/switch")
    assert unknown.status_code == 404


async def test_the_caseload_draws_30_day_sparklines_of_mood_and_anxiety(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person,) = await care_team(client, accounts)
    # Two days in a row, a day on its own with two entries, and one outside the 30 days.
    for days, mood in ((1, 4), (2, 6), (5, 3), (5, 4), (40, 9)):
        await post_entry(client, person, recorded_at=ago(days=days), mood=mood, anxiety=2)
    me = await console_session(app, clinician)

    page = await get_page(client, me, "/console/")

    assert "Mood, last 30 days: 3 days with entries, lowest 3.5, highest 6, latest 4" in page.text
    assert "Anxiety, last 30 days: 3 days with entries" in page.text
    assert page.text.count('<svg class="sparkline') == 2
    # By place in the window (29 is today): the lone day only moves the pen (draws nothing),
    # the two days in a row are joined; the day's mean is of its two entries.
    assert 'd="M24 3.5M27 6L28 4"' in page.text

    # Lines drawn once are kept while the journal stays as it is: any write draws them anew.
    await post_entry(client, person, recorded_at=ago(seconds=0), mood=8, anxiety=2)
    page = await get_page(client, me, "/console/")
    assert "Mood, last 30 days: 4 days with entries, lowest 3.5, highest 8, latest 8" in page.text
