"""Assessments: scored on the server by the instrument's definition, stored with its version,
idempotent by the client's id, PHQ-9 only while the clinic can respond to its item 9, and
alerts raised in the same transaction (with the clinic's support contacts in the answer)."""

import uuid
from typing import Any

import httpx
import pytest

from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import SUPPORT, ago, answers_for, assessment_body, care_team, submit


async def open_phq9(client: httpx.AsyncClient, accounts: Accounts) -> Account:
    """An admin who entered the clinic's support contacts: PHQ-9 is then available (the
    default rules include the enabled `self_harm_thoughts` rule)."""
    admin = await accounts.make(Role.admin)
    response = await client.put("/v1/admin/support-resources", json=SUPPORT, headers=admin.headers)
    assert response.status_code == 200
    return admin


async def count_assessments(accounts: Accounts) -> int:
    return int(str((await accounts.sql("SELECT count(*) FROM assessments"))[0][0]))


@pytest.mark.parametrize(
    ("instrument", "total", "band"),
    [
        ("phq-9", 4, "minimal"), ("phq-9", 5, "mild"), ("phq-9", 9, "mild"),
        ("phq-9", 10, "moderate"), ("phq-9", 14, "moderate"),
        ("phq-9", 15, "moderately_severe"), ("phq-9", 19, "moderately_severe"),
        ("phq-9", 20, "severe"),
        ("phq-8", 19, "moderately_severe"), ("phq-8", 20, "severe"), ("phq-8", 24, "severe"),
        ("gad-7", 4, "minimal"), ("gad-7", 5, "mild"), ("gad-7", 9, "mild"),
        ("gad-7", 10, "moderate"), ("gad-7", 14, "moderate"), ("gad-7", 15, "severe"),
        ("who-5", 7, "low_wellbeing_likely_depression"), ("who-5", 8, "low_wellbeing"),
        ("who-5", 12, "low_wellbeing"), ("who-5", 13, None),
    ],
)  # fmt: skip
async def test_band_boundaries_are_scored_on_the_server(
    client: httpx.AsyncClient, accounts: Accounts, instrument: str, total: int, band: str | None
) -> None:
    await open_phq9(client, accounts)
    sam = await accounts.make()

    response = await submit(
        client, sam, instrument=instrument, answers=answers_for(instrument, total)
    )

    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["instrument"], stored["version"], stored["total"], stored["band"]) == (
        instrument, 1, total, band,
    )  # fmt: skip
    assert stored["percentage"] == (total * 4 if instrument == "who-5" else None)
    assert stored["flags"] == []
    assert response.headers["location"] == f"/v1/me/assessments/{stored['id']}"
    again = await client.get(response.headers["location"], headers=sam.headers)
    assert again.json() == {key: value for key, value in stored.items() if key != "support"}


async def test_local_date_comes_from_the_offset_sent(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    response = await submit(client, sam, completed_at="2026-11-20T23:30:00-05:00")
    assert response.json()["local_date"] == "2026-11-20"
    assert response.json()["completed_at"] == "2026-11-21T04:30:00Z"
    assert response.json()["utc_offset_minutes"] == -300


async def test_phq9_item_9_raises_an_urgent_alert_and_brings_support(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    await open_phq9(client, accounts)
    _admin, clinician, (sam,) = await care_team(client, accounts)
    assessment_id = str(uuid.uuid4())
    answers = [0, 1, 0, 0, 0, 0, 0, 0, 1]

    first = await submit(client, sam, instrument="phq-9", id=assessment_id, answers=answers)
    replay = await submit(client, sam, instrument="phq-9", id=assessment_id, answers=answers,
                          completed_at=first.json()["completed_at"])  # fmt: skip

    assert first.status_code == 201 and replay.status_code == 200, replay.text
    assert first.json()["flags"] == ["self_harm_thoughts"] and first.json()["total"] == 2
    assert first.json()["support"]["message"] == SUPPORT["message"]
    assert replay.json()["support"] == first.json()["support"]
    alerts = (await client.get("/v1/clinician/alerts", headers=clinician.headers)).json()["items"]
    (alert,) = alerts
    assert (alert["rule_key"], alert["severity"], alert["status"]) == (
        "phq9-self-harm-thoughts", "urgent", "open",
    )  # fmt: skip
    assert alert["summary"] == "PHQ-9 item 9 answered 'Several days' or more"
    assert alert["evidence"] == [
        {"assessment_id": assessment_id, "instrument": "phq-9", "flag": "self_harm_thoughts"}
    ]


async def test_a_severe_phq9_total_is_described_not_judged(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    await open_phq9(client, accounts)
    _admin, clinician, (sam,) = await care_team(client, accounts)

    response = await submit(client, sam, instrument="phq-9", answers=answers_for("phq-9", 21))

    assert response.json()["support"]["message"] == SUPPORT["message"]  # total-20 is urgent
    (alert,) = (await client.get("/v1/clinician/alerts", headers=clinician.headers)).json()["items"]
    assert alert["summary"] == "PHQ-9 total 21 (severe)"
    assert alert["evidence"] == [
        {"assessment_id": response.json()["id"], "instrument": "phq-9", "total": 21}
    ]


async def test_item_9_at_0_raises_nothing_and_carries_no_support(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    await open_phq9(client, accounts)
    sam = await accounts.make()
    response = await submit(client, sam, instrument="phq-9", answers=answers_for("phq-9", 3))
    assert response.json()["support"] is None and response.json()["flags"] == []
    assert await accounts.sql("SELECT * FROM alerts") == []


async def test_phq9_is_409_until_the_clinic_can_respond(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    no_support = await submit(client, sam, instrument="phq-9", answers=[0] * 9)
    phq8 = await submit(client, sam, instrument="phq-8", answers=[0] * 8)
    admin = await open_phq9(client, accounts)
    rules = (await client.get("/v1/admin/alert-rules", headers=admin.headers)).json()["rules"]
    without_flag_rule = [rule for rule in rules if rule["kind"] != "instrument_flag"]
    await client.put("/v1/admin/alert-rules", json={"rules": without_flag_rule},
                     headers=admin.headers)  # fmt: skip
    no_rule = await submit(client, sam, instrument="phq-9", answers=[0] * 9)

    assert no_support.status_code == 409
    assert no_support.json()["type"].endswith("/phq9-needs-support-resources")
    assert no_rule.status_code == 409
    assert no_rule.json()["type"].endswith("/phq9-needs-self-harm-rule")
    assert phq8.status_code == 201
    assert await count_assessments(accounts) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"answers": [1, 1, 1, 1, 1, 1]}, "body.answers", "wrong-number-of-answers"),
        ({"answers": [1, 1, 1, 1, 1, 1, 1, 1]}, "body.answers", "wrong-number-of-answers"),
        ({"answers": [1, 1, 4, 1, 1, 1, 1]}, "body.answers.2", "answer-not-an-option"),
        ({"answers": [1, 1, 1, 1, 1, 1, -1]}, "body.answers.6", "greater_than_equal"),
        ({"answers": [1, 1, 1, 1, 1, 1, True]}, "body.answers.6", "int_type"),
        ({"instrument": "phq-10", "answers": [1] * 7}, "body.instrument", "literal_error"),
        ({"version": 2}, "body.version", "unknown-instrument-version"),
        ({"version": None}, "body.version", "value_error"),
        ({"completed_at": "2026-11-20T08:30:00"}, "body.completed_at", "datetime_format"),
    ],
)
async def test_answers_that_do_not_fit_are_422_and_nothing_is_stored(
    client: httpx.AsyncClient, accounts: Accounts, overrides: dict[str, Any], field: str, code: str
) -> None:
    sam = await accounts.make()
    response = await submit(client, sam, **overrides)
    assert response.status_code == 422, response.text
    assert (field, code) in [(e["field"], e["code"]) for e in response.json()["errors"]]
    assert await count_assessments(accounts) == 0


async def test_a_retry_is_idempotent_and_other_content_is_409(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam, kim = await accounts.make(), await accounts.make()
    sent = assessment_body(id=str(uuid.uuid4()))
    first = await client.post("/v1/me/assessments", json=sent, headers=sam.headers)
    again = await client.post("/v1/me/assessments", json=sent, headers=sam.headers)
    changed = await client.post(
        "/v1/me/assessments", json={**sent, "answers": [0] * 7}, headers=sam.headers
    )
    someone_else = await client.post("/v1/me/assessments", json=sent, headers=kim.headers)

    assert first.status_code == 201 and again.status_code == 200
    assert again.json() == first.json() and "location" not in again.headers
    assert changed.status_code == 409 and changed.json()["type"].endswith("/assessment-changed")
    assert someone_else.status_code == 409
    assert someone_else.json()["type"].endswith("/assessment-id-unavailable")
    assert "gad-7" not in someone_else.text and "answers" not in someone_else.text
    assert await count_assessments(accounts) == 1


async def test_lists_are_newest_first_filtered_and_paged(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam, kim = await accounts.make(), await accounts.make()
    for hours, instrument in ((5, "gad-7"), (4, "who-5"), (3, "gad-7"), (2, "gad-7")):
        await submit(client, sam, instrument=instrument, completed_at=ago(hours=hours),
                     answers=answers_for(instrument, 8))  # fmt: skip
    mine = await client.get("/v1/me/assessments", params={"limit": 2, "instrument": "gad-7"},
                            headers=sam.headers)  # fmt: skip
    rest = await client.get(
        "/v1/me/assessments",
        params={"limit": 2, "instrument": "gad-7", "cursor": mine.json()["next_cursor"]},
        headers=sam.headers,
    )
    windowed = await client.get("/v1/me/assessments", params={"from": ago(hours=4.5),
                                "to": ago(hours=2.5)}, headers=sam.headers)  # fmt: skip
    theirs = await client.get("/v1/me/assessments", headers=kim.headers)
    one = mine.json()["items"][0]["id"]
    not_theirs = await client.get(f"/v1/me/assessments/{one}", headers=kim.headers)
    unknown = await client.get("/v1/me/assessments", params={"sort": "total"}, headers=sam.headers)

    times = [item["completed_at"] for item in mine.json()["items"] + rest.json()["items"]]
    assert len(times) == 3 and times == sorted(times, reverse=True)
    assert rest.json()["next_cursor"] is None
    assert [item["instrument"] for item in windowed.json()["items"]] == ["gad-7", "who-5"]
    assert theirs.json() == {"items": [], "next_cursor": None}
    assert not_theirs.status_code == 404 and unknown.status_code == 422
