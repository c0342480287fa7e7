"""The participant page's forms: questionnaire schedules, note corrections, alert rules."""

import httpx
from fastapi import FastAPI

from tests.conftest import Account, Accounts
from tests.console import console_session, get_page, post_form
from tests.helpers import care_team
from tests.test_authorization_matrix import build_world


async def test_a_clinician_schedules_a_questionnaire_and_stops_it(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person,) = await care_team(client, accounts)
    me = await console_session(app, clinician)
    base = f"/console/participants/{person.id}"

    made = await post_form(
        client, me, f"{base}/schedules", {"instrument": "gad-7", "every_days": "10"}
    )
    api = f"/v1/clinician/participants/{person.id}/assessment-schedules"
    listed = (await client.get(api, headers=clinician.headers)).json()
    stopped = await post_form(client, me, f"{base}/schedules/gad-7/stop")

    assert made.status_code == stopped.status_code == 303
    assert [(s["instrument"], s["every_days"]) for s in listed] == [("gad-7", 10)]
    assert (await client.get(api, headers=clinician.headers)).json() == []


async def test_bad_schedule_forms_are_friendly_pages(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person,) = await care_team(client, accounts)
    me = await console_session(app, clinician)
    base = f"/console/participants/{person.id}/schedules"
    cases = [
        ({"instrument": "nonsense", "every_days": "10"}, 404),
        ({"instrument": "gad-7", "every_days": "0"}, 422),
        ({"instrument": "gad-7", "every_days": "many"}, 422),
    ]
    for fields, status in cases:
        response = await post_form(client, me, base, fields)
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("text/html")


async def test_a_note_is_corrected_by_a_note_that_supersedes_it(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person,) = await care_team(client, accounts)
    me = await console_session(app, clinician)
    base = f"/console/participants/{person.id}"
    await post_form(client, me, f"{base}/notes", {"text": "Frist note.", "visibility": "care_team"})
    api = f"/v1/clinician/participants/{person.id}/notes"
    (first,) = (await client.get(api, headers=clinician.headers)).json()["items"]

    corrected = await post_form(
        client,
        me,
        f"{base}/notes",
        {"text": "First note.", "visibility": "care_team", "supersedes": first["id"]},
    )
    again = await post_form(
        client,
        me,
        f"{base}/notes",
        {"text": "Again.", "visibility": "care_team", "supersedes": first["id"]},
    )

    assert corrected.status_code == 303
    assert again.status_code == 409  # a note is superseded at most once
    page = await get_page(client, me, base)
    assert "superseded by a later note" in page.text and "corrects an earlier note" in page.text


async def test_a_clinician_switches_a_rule_off_for_one_participant_only(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (person, other) = await care_team(client, accounts, participants=2)
    me = await console_session(app, clinician)

    async def enabled(who_id: object) -> bool:
        url = f"/v1/clinician/participants/{who_id}/alert-rules"
        rules = (await client.get(url, headers=clinician.headers)).json()["rules"]
        return bool(
            next(r for r in rules if r["rule"]["key"] == "anxiety-high-3d")["rule"]["enabled"]
        )

    switched = await post_form(
        client, me, f"/console/participants/{person.id}/alert-rules/anxiety-high-3d/switch"
    )

    assert switched.status_code == 303
    assert not await enabled(person.id) and await enabled(other.id)
    clinic = (await client.get("/v1/admin/alert-rules", headers=admin.headers)).json()
    assert all(rule["enabled"] for rule in clinic["rules"] if rule["key"] == "anxiety-high-3d")
    page = await get_page(client, me, f"/console/participants/{person.id}")
    assert "this participant" in page.text


async def threshold_of(client: httpx.AsyncClient, clinician: Account, who: Account) -> object:
    url = f"/v1/clinician/participants/{who.id}/alert-rules"
    rules = (await client.get(url, headers=clinician.headers)).json()["rules"]
    return next(r for r in rules if r["rule"]["key"] == "anxiety-high-3d")["rule"]["value"]


async def test_a_clinician_changes_a_threshold_for_one_participant(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person, other) = await care_team(client, accounts, participants=2)
    me = await console_session(app, clinician)
    fields = {"value": "9", "consecutive_days": "4", "severity": "urgent"}

    page = await get_page(client, me, f"/console/participants/{person.id}")
    changed = await post_form(
        client, me, f"/console/participants/{person.id}/alert-rules/anxiety-high-3d", fields
    )

    assert 'id="rule-anxiety-high-3d-value"' in page.text
    assert changed.status_code == 303, changed.text
    url = f"/v1/clinician/participants/{person.id}/alert-rules"
    rules = (await client.get(url, headers=clinician.headers)).json()["rules"]
    (item,) = [r for r in rules if r["rule"]["key"] == "anxiety-high-3d"]
    assert item["scope"] == "participant"
    assert (item["rule"]["value"], item["rule"]["consecutive_days"]) == (9, 4)
    assert item["rule"]["severity"] == "urgent" and item["rule"]["dimension"] == "anxiety"
    assert await threshold_of(client, clinician, other) == 8
    assert ("alert_rules.participant_update", "success") in await accounts.audit_actions()
    after = await get_page(client, me, f"/console/participants/{person.id}")
    assert "10): 9; Consecutive days: 4" in after.text


async def test_an_invalid_rule_value_is_a_friendly_422_and_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, clinician, (person,) = await care_team(client, accounts)
    me = await console_session(app, clinician)
    url = f"/console/participants/{person.id}/alert-rules/anxiety-high-3d"

    for fields in ({"value": "11"}, {"value": "eight"}, {"value": "7.5"}, {"severity": "loud"}):
        response = await post_form(client, me, url, fields)
        assert response.status_code == 422, (fields, response.text)
        assert "Please check the form" in response.text
    unknown = await post_form(client, me, url.replace("anxiety-high-3d", "nope"), {"value": "5"})

    assert unknown.status_code == 404
    assert await threshold_of(client, clinician, person) == 8
    assert await accounts.sql("SELECT * FROM participant_alert_rules") == []


async def test_a_covering_backup_cannot_change_a_rule(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    world = await build_world(client, accounts)
    covering = await console_session(app, world.accounts["covering_clinician"])
    url = f"/console/participants/{world.participant.id}/alert-rules/anxiety-high-3d"

    refused = await post_form(client, covering, url, {"value": "2"})
    page = await get_page(client, covering, f"/console/participants/{world.participant.id}")

    assert refused.status_code == 403
    assert await accounts.sql("SELECT * FROM participant_alert_rules") == []
    assert 'id="rule-anxiety-high-3d-value"' not in page.text
