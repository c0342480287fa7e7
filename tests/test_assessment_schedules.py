"""The care side of assessments: a clinician's audited list, the schedules at which a
participant is asked for each instrument (PHQ-9 behind its gate), what is due, the export
and erasure."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import httpx

from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import SUPPORT, ago, answers_for, care_team, submit


def schedules_url(participant: Account, instrument: str = "") -> str:
    base = f"/v1/clinician/participants/{participant.id}/assessment-schedules"
    return f"{base}/{instrument}" if instrument else base


async def due(client: httpx.AsyncClient, who: Account) -> list[dict[str, object]]:
    response = await client.get("/v1/me/assessments/due", headers=who.headers)
    assert response.status_code == 200, response.text
    return list(response.json())


async def test_the_clinicians_list_is_audited_and_in_the_access_log(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    stranger = await accounts.make(Role.clinician)
    await submit(client, sam, instrument="gad-7", answers=answers_for("gad-7", 12))
    url = f"/v1/clinician/participants/{sam.id}/assessments"

    listed = await client.get(url, params={"instrument": "gad-7"}, headers=clinician.headers)
    refused = await client.get(url, headers=stranger.headers)

    (item,) = listed.json()["items"]
    assert (item["total"], item["band"]) == (12, "moderate")
    assert refused.status_code == 404
    assert ("clinician.read_assessments", "success") in await accounts.audit_actions()
    log = (await client.get("/v1/me/access-log", headers=sam.headers)).json()["items"]
    assert "assessments" in [entry["data"] for entry in log]
    audit = repr(await accounts.sql("SELECT * FROM audit_events"))
    assert "gad-7" not in audit and "moderate" not in audit


async def test_an_interval_makes_an_instrument_due_until_it_is_completed(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    assert await due(client, sam) == []

    put = await client.put(schedules_url(sam, "gad-7"), json={"every_days": 14},
                           headers=clinician.headers)  # fmt: skip
    listed = await client.get(schedules_url(sam), headers=clinician.headers)
    never_done = await due(client, sam)
    await submit(client, sam, instrument="gad-7", completed_at=ago(days=15))
    overdue = await due(client, sam)
    await submit(client, sam, instrument="gad-7", completed_at=ago(hours=1))
    done = await due(client, sam)
    removed = await client.delete(schedules_url(sam, "gad-7"), headers=clinician.headers)
    again = await client.delete(schedules_url(sam, "gad-7"), headers=clinician.headers)

    assert put.status_code == 200 and put.json()["every_days"] == 14
    assert [(i["instrument"], i["every_days"]) for i in listed.json()] == [("gad-7", 14)]
    (first,) = never_done
    assert first["last_completed_at"] is None and first["instrument"] == "gad-7"
    (late,) = overdue
    last = datetime.fromisoformat(str(late["last_completed_at"]))
    assert datetime.fromisoformat(str(late["due_since"])) == last + timedelta(days=14)
    assert last < datetime.now(UTC) - timedelta(days=14)
    assert done == []
    assert removed.status_code == 204 and again.status_code == 204
    assert (await client.get(schedules_url(sam), headers=clinician.headers)).json() == []
    assert ("assessment_schedule.update", "success") in await accounts.audit_actions()


async def test_intervals_are_checked(client: httpx.AsyncClient, accounts: Accounts) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    for every_days in (0, 91, 7.5, True, "7"):
        response = await client.put(schedules_url(sam, "gad-7"), json={"every_days": every_days},
                                    headers=clinician.headers)  # fmt: skip
        assert response.status_code == 422, every_days
    unknown = await client.put(schedules_url(sam, "phq-10"), json={"every_days": 7},
                               headers=clinician.headers)  # fmt: skip
    assert unknown.status_code == 422
    assert await accounts.sql("SELECT * FROM assessment_schedules") == []


async def test_phq9_is_asked_for_only_behind_its_gate(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam,) = await care_team(client, accounts)

    closed = await client.put(schedules_url(sam, "phq-9"), json={"every_days": 14},
                              headers=clinician.headers)  # fmt: skip
    phq8 = await client.put(schedules_url(sam, "phq-8"), json={"every_days": 14},
                            headers=clinician.headers)  # fmt: skip
    await client.put("/v1/admin/support-resources", json=SUPPORT, headers=admin.headers)
    opened = await client.put(schedules_url(sam, "phq-9"), json={"every_days": 14},
                              headers=clinician.headers)  # fmt: skip
    both_due = [item["instrument"] for item in await due(client, sam)]
    # The clinic takes its contacts away: PHQ-9 is no longer offered as due.
    empty = {"message": "Ask your care team.", "resources": []}
    await client.put("/v1/admin/support-resources", json=empty, headers=admin.headers)
    only_phq8 = [item["instrument"] for item in await due(client, sam)]

    assert closed.status_code == 409
    assert closed.json()["type"].endswith("/phq9-needs-support-resources")
    assert phq8.status_code == 200 and opened.status_code == 200
    assert both_due == ["phq-8", "phq-9"] and only_phq8 == ["phq-8"]


async def test_assessments_are_in_the_export_and_erased_with_the_account(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    stored = (await submit(client, sam, instrument="who-5", answers=[1, 2, 3, 2, 1])).json()
    await client.put(schedules_url(sam, "who-5"), json={"every_days": 7}, headers=clinician.headers)

    exported = await client.get("/v1/me/export", params={"format": "json"}, headers=sam.headers)
    as_csv = await client.get("/v1/me/export", params={"format": "assessments-csv"},
                              headers=sam.headers)  # fmt: skip
    erased = await client.delete("/v1/me", headers=sam.headers)

    (item,) = json.loads(exported.content)["assessments"]
    assert item == {key: value for key, value in stored.items() if key != "support"}
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    shown = [(row["instrument"], row["answers"], row["total"], row["percentage"]) for row in rows]
    assert shown == [("who-5", "1;2;3;2;1", "9", "36")]
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert erased.status_code == 204
    assert await accounts.sql("SELECT * FROM assessments") == []
    assert await accounts.sql("SELECT * FROM assessment_schedules") == []
