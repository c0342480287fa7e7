"""The participant page's forms: questionnaire schedules and note corrections."""

import httpx
from fastapi import FastAPI

from tests.conftest import Accounts
from tests.console import console_session, get_page, post_form
from tests.helpers import care_team


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
