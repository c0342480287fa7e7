"""The care team's inbox: urgent first, acknowledge, resolve; the admin's content-free list."""

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from app.access import sweep_for
from app.alerts.defaults import DEFAULT_RULES
from app.sweeper.service import sweep_once
from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import care_team, post_entry

RULES = DEFAULT_RULES.model_dump(mode="json")["rules"]


def days_ago(days: int) -> str:
    """Noon (UTC) `days` days ago; today, no later than now (a future time is 422)."""
    now = datetime.now(UTC)
    moment = now.replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=days)
    return min(moment, now.replace(microsecond=0)).isoformat()


async def anxious_days(client: httpx.AsyncClient, who: Account) -> None:
    for days in (2, 1, 0):
        response = await post_entry(client, who, recorded_at=days_ago(days), anxiety=9, note="x")
        assert response.status_code == 201


async def inbox(client: httpx.AsyncClient, clinician: Account, **params: Any) -> list[Any]:
    response = await client.get("/v1/clinician/alerts", params=params, headers=clinician.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_the_inbox_shows_urgent_first_and_the_figures(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam, kim) = await care_team(client, accounts, participants=2)
    await anxious_days(client, sam)  # routine, raised first
    rules = copy.deepcopy(RULES)
    rules[2]["severity"] = "urgent"
    await client.put("/v1/admin/alert-rules", json={"rules": rules}, headers=admin.headers)
    await anxious_days(client, kim)  # urgent

    items = await inbox(client, clinician)

    assert [(item["participant_id"], item["severity"]) for item in items] == [
        (str(kim.id), "urgent"),
        (str(sam.id), "routine"),
    ]
    assert items[0]["summary"] == "Anxiety 8 or higher on each of 3 consecutive days: 9, 9, 9"
    assert [await inbox(client, clinician, severity="routine")] == [[items[1]]]
    log = (await client.get("/v1/me/access-log", headers=sam.headers)).json()["items"]
    assert "alerts" in [item["data"] for item in log]


async def test_acknowledge_and_resolve(client: httpx.AsyncClient, accounts: Accounts) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    await anxious_days(client, sam)
    (alert,) = await inbox(client, clinician)
    base = f"/v1/clinician/alerts/{alert['id']}"

    acked = [await client.post(f"{base}/acknowledge", headers=clinician.headers) for _ in "12"]
    resolved = await client.post(
        f"{base}/resolve", json={"resolution_note": "Called Sam."}, headers=clinician.headers
    )
    again = await client.post(
        f"{base}/resolve", json={"resolution_note": "Other words."}, headers=clinician.headers
    )

    assert [r.json()["status"] for r in acked] == ["acknowledged", "acknowledged"]
    assert acked[0].json()["acknowledged_at"] == acked[1].json()["acknowledged_at"]
    assert resolved.json()["status"] == "resolved"
    assert again.status_code == 200 and again.json()["resolution_note"] == "Called Sam."
    actions = [action for action, _ in await accounts.audit_actions()]
    assert [a for a in actions if a.startswith("alert.")] == [
        "alert.raise", "alert.acknowledge", "alert.resolve",
    ]  # fmt: skip
    # Resolved, the rule fires again on the next entry that meets it: a new alert.
    await post_entry(client, sam, recorded_at=days_ago(0), anxiety=10)
    assert [item["status"] for item in await inbox(client, clinician)] == ["resolved", "open"]


async def test_someone_elses_alert_is_404(client: httpx.AsyncClient, accounts: Accounts) -> None:
    _admin, _clinician, (sam,) = await care_team(client, accounts)
    await anxious_days(client, sam)
    stranger = await accounts.make(Role.clinician)
    rows = await accounts.sql("SELECT id FROM alerts")
    alert_id = str(rows[0][0])
    if len(alert_id) == 32:  # SQLite keeps UUIDs as hex
        alert_id = (
            f"{alert_id[:8]}-{alert_id[8:12]}-{alert_id[12:16]}-{alert_id[16:20]}-{alert_id[20:]}"
        )

    for action, body in (("acknowledge", None), ("resolve", {"resolution_note": "x"})):
        response = await client.post(
            f"/v1/clinician/alerts/{alert_id}/{action}", json=body, headers=stranger.headers
        )
        assert response.status_code == 404
    assert await inbox(client, stranger) == []


async def test_bad_resolution_notes_are_422(client: httpx.AsyncClient, accounts: Accounts) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    await anxious_days(client, sam)
    (alert,) = await inbox(client, clinician)
    for note in ("", "x" * 2001, "a\x00b"):
        response = await client.post(
            f"/v1/clinician/alerts/{alert['id']}/resolve",
            json={"resolution_note": note},
            headers=clinician.headers,
        )
        assert response.status_code == 422
    assert (await inbox(client, clinician))[0]["status"] == "open"


async def test_the_admin_overdue_list_carries_no_content(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, _clinician, (sam,) = await care_team(client, accounts)
    await anxious_days(client, sam)
    await accounts.sql("UPDATE alerts SET acknowledge_by = raised_at")  # its deadline passed

    response = await client.get("/v1/admin/alerts/overdue", headers=admin.headers)

    (item,) = response.json()["items"]
    assert item["participant_id"] == str(sam.id)
    assert item["participant_display_name"] == "P000"
    assert item["primary_clinician"] == "Dr. Okafor"
    assert set(item) == {
        "alert_id", "participant_id", "participant_display_name", "severity", "raised_at",
        "acknowledge_by", "escalated_at", "primary_clinician", "backup_clinician",
    }  # fmt: skip
    for leaked in ("anxiety", "Anxiety", "rating_threshold", "evidence", "summary"):
        assert leaked not in response.text


async def test_no_overdue_item_audit_event_or_domain_event_carries_what_was_reported(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (sam,) = await care_team(client, accounts)
    note, resolution = "zebra quartz evening", "kumquat telephone follow-up"
    for days in (2, 1, 0):
        response = await post_entry(
            client, sam, recorded_at=days_ago(days), anxiety=9, mood=3, note=note, note_shared=True
        )
        assert response.status_code == 201, response.text
    await accounts.sql("UPDATE alerts SET acknowledge_by = raised_at")
    await sweep_once(app.state.sessionmaker, sweep_for("test"), batch=10)
    overdue = await client.get("/v1/admin/alerts/overdue", headers=admin.headers)
    assert len(overdue.json()["items"]) == 1
    (alert,) = await inbox(client, clinician)
    resolved = await client.post(
        f"/v1/clinician/alerts/{alert['id']}/resolve",
        json={"resolution_note": resolution},
        headers=clinician.headers,
    )
    assert resolved.status_code == 200

    walked = [overdue.text]
    for table in ("audit_events", "domain_events"):
        rows = await accounts.sql(f"SELECT * FROM {table}")  # noqa: S608 - a fixed name
        assert rows
        walked += [repr(row) for row in rows]
    sent = [note, resolution, alert["summary"], "Anxiety", "anxiety", "mean", "evidence"]
    for text in walked:
        assert [value for value in sent if value in text] == [], text
