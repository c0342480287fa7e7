"""Experience reports: idempotent by id, `experience_report` rules raised in the same
transaction (support in the answer when urgent), the description the participant's own
unless shared, in the export and erased with the account."""

import csv
import io
import json
import uuid
from typing import Any

import httpx

from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import SUPPORT, ago, care_team

URL = "/v1/me/experience-reports"


def report(**overrides: Any) -> dict[str, Any]:
    return {"occurred_at": ago(hours=2), "severity": "mild", "description": "Felt dizzy.",
            "shared": False, **overrides}  # fmt: skip


async def post_report(client: httpx.AsyncClient, who: Account, **overrides: Any) -> httpx.Response:
    return await client.post(URL, json=report(**overrides), headers=who.headers)


async def test_a_severe_report_raises_an_urgent_alert_and_brings_support(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam,) = await care_team(client, accounts)
    await client.put("/v1/admin/support-resources", json=SUPPORT, headers=admin.headers)
    report_id = str(uuid.uuid4())
    sent = report(id=report_id, severity="severe", description="Could not stand up.")

    mild = await post_report(client, sam, severity="moderate")
    first = await client.post(URL, json=sent, headers=sam.headers)
    replay = await client.post(URL, json=sent, headers=sam.headers)

    assert mild.status_code == 201 and mild.json()["support"] is None
    assert first.status_code == 201 and replay.status_code == 200
    assert first.headers["location"] == URL
    assert first.json()["support"]["message"] == SUPPORT["message"]
    assert replay.json() == first.json()
    (alert,) = (await client.get("/v1/clinician/alerts", headers=clinician.headers)).json()["items"]
    assert (alert["rule_key"], alert["severity"]) == ("experience-severe", "urgent")
    assert alert["summary"] == "Experience reported as severe"
    assert alert["evidence"] == [{"report_id": report_id, "severity": "severe"}]
    everything = repr(await accounts.sql("SELECT * FROM alerts")) + repr(
        await accounts.sql("SELECT * FROM audit_events")
    )
    assert "stand up" not in everything


async def test_the_care_team_reads_a_description_only_when_shared(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    stranger = await accounts.make(Role.clinician)
    await post_report(client, sam, occurred_at=ago(hours=3), description="Private words.")
    await post_report(client, sam, occurred_at=ago(hours=1), description="Shared words.",
                      shared=True)  # fmt: skip
    url = f"/v1/clinician/participants/{sam.id}/experience-reports"

    theirs = await client.get(url, headers=clinician.headers)
    own = await client.get(URL, headers=sam.headers)
    refused = await client.get(url, headers=stranger.headers)

    assert [(i["description"], i["shared"]) for i in theirs.json()["items"]] == [
        ("Shared words.", True), (None, False),
    ]  # fmt: skip
    assert [i["description"] for i in own.json()["items"]] == ["Shared words.", "Private words."]
    assert refused.status_code == 404
    assert ("clinician.read_experience_reports", "success") in await accounts.audit_actions()
    log = (await client.get("/v1/me/access-log", headers=sam.headers)).json()["items"]
    assert "experience_reports" in [entry["data"] for entry in log]


async def test_retries_are_idempotent_and_ids_are_not_shared(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam, kim = await accounts.make(), await accounts.make()
    sent = report(id=str(uuid.uuid4()))
    first = await client.post(URL, json=sent, headers=sam.headers)
    changed = await client.post(URL, json={**sent, "severity": "severe"}, headers=sam.headers)
    someone_else = await client.post(URL, json=sent, headers=kim.headers)

    assert first.status_code == 201
    assert changed.status_code == 409
    assert changed.json()["type"].endswith("/experience-report-changed")
    assert someone_else.status_code == 409
    assert someone_else.json()["type"].endswith("/experience-report-id-unavailable")
    assert "dizzy" not in someone_else.text
    assert await accounts.sql("SELECT * FROM alerts") == []


async def test_reports_are_checked(client: httpx.AsyncClient, accounts: Accounts) -> None:
    sam = await accounts.make()
    for overrides in (
        {"severity": "extreme"},
        {"description": "x" * 2001},
        {"description": "a\x00b"},
        {"shared": "yes"},
        {"occurred_at": "2026-11-20T08:30:00"},
        {"occurred_at": ago(hours=-1)},
    ):
        assert (await post_report(client, sam, **overrides)).status_code == 422, overrides
    assert await accounts.sql("SELECT * FROM experience_reports") == []


async def test_reports_are_in_the_export_and_erased_with_the_account(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    stored = (await post_report(client, sam, description="=cmd()")).json()

    exported = await client.get("/v1/me/export", params={"format": "json"}, headers=sam.headers)
    as_csv = await client.get("/v1/me/export", params={"format": "experience-reports-csv"},
                              headers=sam.headers)  # fmt: skip
    erased = await client.delete("/v1/me", headers=sam.headers)

    (item,) = json.loads(exported.content)["experience_reports"]
    assert item == {key: value for key, value in stored.items() if key != "support"}
    (row,) = csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig")))
    assert (row["severity"], row["description"], row["shared"]) == ("mild", "'=cmd()", "false")
    assert erased.status_code == 204
    assert await accounts.sql("SELECT * FROM experience_reports") == []
