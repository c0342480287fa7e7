"""The care team: a backup clinician who reaches the participant only while covering an
escalation (from the escalation until the alert is resolved), the participant's view of
their care team, and what deactivating a clinician ends."""

import json
import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from app.access import sweep_for
from app.sweeper.service import sweep_once
from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import care_team
from tests.test_sweeper import overdue_alert

PARTICIPANT_READS = ("", "/entries", "/summary", "/notes", "/alert-rules")


async def set_backup(
    client: httpx.AsyncClient, admin: Account, participant: Account, clinician: Account
) -> httpx.Response:
    return await client.put(
        f"/v1/admin/participants/{participant.id}/backup-clinician",
        json={"clinician_id": str(clinician.id)},
        headers=admin.headers,
    )


async def reads(client: httpx.AsyncClient, who: Account, participant: Account) -> list[int]:
    base = f"/v1/clinician/participants/{participant.id}"
    return [
        (await client.get(base + path, headers=who.headers)).status_code
        for path in PARTICIPANT_READS
    ]


async def inbox(client: httpx.AsyncClient, who: Account) -> list[dict[str, Any]]:
    response = await client.get("/v1/clinician/alerts", headers=who.headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def test_the_backup_covers_from_escalation_until_resolution_and_only_then(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, primary, (sam,) = await care_team(client, accounts)
    backup = await accounts.make(Role.clinician, display_name="Dr. Brandt")
    assert (await set_backup(client, admin, sam, backup)).status_code == 200

    await overdue_alert(client, accounts, sam)
    # Raised and overdue, not yet escalated: the backup is like any other clinician.
    assert await reads(client, backup, sam) == [404] * len(PARTICIPANT_READS)
    assert await inbox(client, backup) == []

    report = await sweep_once(app.state.sessionmaker, sweep_for("test"), batch=10)
    assert report.escalated == 1

    assert await reads(client, backup, sam) == [200] * len(PARTICIPANT_READS)
    (alert,) = await inbox(client, backup)
    assert alert["escalated_at"] is not None and alert["participant_id"] == str(sam.id)
    # Only the primary reviews, and sets the participant's rules.
    review = await client.put(
        f"/v1/clinician/participants/{sam.id}/review-mark",
        json={"reviewed_through": alert["raised_at"]},
        headers=backup.headers,
    )
    assert review.status_code == 403, review.text
    assert review.json()["type"].endswith("/primary-clinician-only")

    log = await client.get("/v1/me/access-log", headers=sam.headers)
    covering = [i for i in log.json()["items"] if i["accessor_role"] == "covering_clinician"]
    assert {item["accessor"] for item in covering} == {"Dr. Brandt"}
    assert {item["data"] for item in covering} >= {"profile", "entries", "summary", "alerts"}

    resolved = await client.post(
        f"/v1/clinician/alerts/{alert['id']}/resolve",
        json={"resolution_note": "Called; seen the same day."},
        headers=backup.headers,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"

    # Resolved: the covering ended with it.
    assert await reads(client, backup, sam) == [404] * len(PARTICIPANT_READS)
    assert await inbox(client, backup) == []
    assert await reads(client, primary, sam) == [200] * len(PARTICIPANT_READS)
    roles = await accounts.sql("SELECT actor_role FROM audit_events WHERE action = 'alert.resolve'")
    assert roles == [("covering",)]


async def test_the_primary_is_not_a_backup_and_history_is_kept(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, primary, (sam,) = await care_team(client, accounts)
    first = await accounts.make(Role.clinician, display_name="Dr. First")
    second = await accounts.make(Role.clinician, display_name="Dr. Second")

    same = await set_backup(client, admin, sam, primary)
    assert same.status_code == 422
    assert same.json()["errors"][0]["code"] == "backup-is-primary"
    assert (await set_backup(client, admin, sam, first)).status_code == 200
    assert (await set_backup(client, admin, sam, first)).status_code == 200  # no change
    assert (await set_backup(client, admin, sam, second)).status_code == 200

    care = (
        await client.get(f"/v1/admin/participants/{sam.id}/clinician", headers=admin.headers)
    ).json()
    assert care["backup"]["clinician_display_name"] == "Dr. Second"
    history = [
        (item["clinician_display_name"], item["ended_at"]) for item in care["backup_history"]
    ]
    assert [name for name, _ in history] == ["Dr. First", "Dr. Second"]
    assert history[0][1] is not None and history[1][1] is None
    events = await accounts.sql(
        "SELECT action FROM audit_events WHERE action LIKE 'assignment.backup%' ORDER BY id"
    )
    assert [action for (action,) in events] == [
        "assignment.backup_set",
        "assignment.backup_end",
        "assignment.backup_set",
    ]

    # The backup made primary is no longer the backup.
    await client.put(
        f"/v1/admin/participants/{sam.id}/clinician",
        json={"clinician_id": str(second.id)},
        headers=admin.headers,
    )
    team = (await client.get("/v1/me/care-team", headers=sam.headers)).json()
    assert team == {"primary": {"display_name": "Dr. Second"}, "backup": None}

    ended = await client.delete(
        f"/v1/admin/participants/{sam.id}/backup-clinician", headers=admin.headers
    )
    assert ended.status_code == 404  # none left to end


async def test_deactivating_a_clinician_ends_both_roles(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, primary, (sam, kim) = await care_team(client, accounts, participants=2)
    backup = await accounts.make(Role.clinician, display_name="Dr. Brandt")
    await set_backup(client, admin, sam, backup)
    await client.put(
        f"/v1/admin/participants/{kim.id}/clinician",
        json={"clinician_id": str(backup.id)},
        headers=admin.headers,
    )
    assert (await client.get("/v1/me/care-team", headers=sam.headers)).json() == {
        "primary": {"display_name": "Dr. Okafor"},
        "backup": {"display_name": "Dr. Brandt"},
    }

    for clinician in (primary, backup):
        response = await client.patch(
            f"/v1/admin/users/{clinician.id}", json={"is_active": False}, headers=admin.headers
        )
        assert response.status_code == 200, response.text

    assert (
        await client.get("/v1/clinician/participants", headers=backup.headers)
    ).status_code == 401
    for participant in (sam, kim):
        team = (await client.get("/v1/me/care-team", headers=participant.headers)).json()
        assert team == {"primary": None, "backup": None}
    open_rows = await accounts.sql(
        "SELECT count(*) FROM care_backups WHERE ended_at IS NULL"
    ) + await accounts.sql("SELECT count(*) FROM care_assignments WHERE ended_at IS NULL")
    assert open_rows == [(0,), (0,)]


async def test_alert_transitions_are_recorded_as_content_free_domain_events(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, primary, (sam,) = await care_team(client, accounts)
    await overdue_alert(client, accounts, sam)
    await sweep_once(app.state.sessionmaker, sweep_for("test"), batch=10)
    (alert,) = await inbox(client, primary)
    await client.post(f"/v1/clinician/alerts/{alert['id']}/acknowledge", headers=primary.headers)
    await client.post(
        f"/v1/clinician/alerts/{alert['id']}/resolve",
        json={"resolution_note": "Spoke on the phone."},
        headers=primary.headers,
    )

    events = await accounts.sql(
        "SELECT type, subject_id, participant_id, data FROM domain_events"
        " WHERE type LIKE 'alert.%' ORDER BY occurred_at"
    )
    assert [row[0] for row in events] == [
        "alert.raised",
        "alert.escalated",
        "alert.acknowledged",
        "alert.resolved",
    ]
    for event_type, subject_id, participant_id, data in events:
        assert uuid.UUID(str(subject_id)) == uuid.UUID(alert["id"])
        assert uuid.UUID(str(participant_id)) == sam.id
        fields: dict[str, Any] = json.loads(data) if isinstance(data, str) else dict(data)  # type: ignore[call-overload]
        assert fields == {
            "alert_id": alert["id"],
            "participant_id": str(sam.id),
            "severity": "routine",
            "status": str(event_type).removeprefix("alert."),
            "occurred_at": fields["occurred_at"],
        }
