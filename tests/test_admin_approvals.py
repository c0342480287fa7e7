"""What an admin can do to reach a participant, made visible and deliberate (issue 10):
a recovery code ends the account's sessions, renames are audited, and with
`second_admin_approval` on, recovery and new-clinician assignments wait for a second admin."""

import uuid
from datetime import timedelta

import httpx
from sqlalchemy import select, update

from app.admin.models import AdminApproval
from app.audit.models import AuditEvent
from app.db import utcnow
from app.users.models import Role, User
from tests.conftest import Account, Accounts, ServeApp, ServedApp, sign_in

NEW_PASSWORD = "a quiet walk along the river at dawn"
APPROVALS = "/v1/admin/approvals"


async def activate(client: httpx.AsyncClient, email: str, code: str) -> httpx.Response:
    body = {"email": email, "activation_code": code, "password": NEW_PASSWORD}
    return await client.post("/v1/auth/activate", json=body)


async def events_about(accounts: Accounts, subject: uuid.UUID | str) -> list[tuple[str, str]]:
    """(action, actor id in hex) of the events about `subject`, oldest first."""
    statement = (
        select(AuditEvent.action, AuditEvent.actor_id)
        .where(AuditEvent.subject_id == uuid.UUID(str(subject)))
        .order_by(AuditEvent.id)
    )
    async with accounts.app.state.engine.connect() as connection:
        rows = (await connection.execute(statement)).all()
    return [(action, actor.hex) for action, actor in rows]


async def refreshes(client: httpx.AsyncClient, account: Account) -> int:
    answer = await client.post("/v1/auth/refresh", json={"refresh_token": account.refresh_token})
    return answer.status_code


# --- (b) a recovery code ends every session and withdraws every other code --------------


async def test_a_recovery_code_ends_every_session_of_the_account(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)
    second_device = await sign_in(client, participant.email)
    earlier_code = await accounts.issue_activation_code(participant.id)
    second_headers = {"Authorization": f"Bearer {second_device.json()['access_token']}"}
    assert (await client.get("/v1/me", headers=second_headers)).status_code == 200

    issued = await client.post(
        f"/v1/admin/users/{participant.id}/activation-code", headers=admin.headers
    )

    assert issued.status_code == 201
    assert (await client.get("/v1/me", headers=participant.headers)).status_code == 401
    assert (await client.get("/v1/me", headers=second_headers)).status_code == 401
    assert await refreshes(client, participant) == 401
    assert (await activate(client, participant.email, earlier_code)).status_code == 401
    assert (await activate(client, participant.email, issued.json()["activation_code"])).is_success
    assert (await client.get("/v1/me", headers=admin.headers)).status_code == 200


async def test_a_first_code_for_an_account_never_activated_is_no_recovery(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    fresh = await accounts.make(Role.participant, activated=False)

    issued = await client.post(f"/v1/admin/users/{fresh.id}/activation-code", headers=admin.headers)

    assert issued.status_code == 201
    assert (await client.get("/v1/me", headers=fresh.headers)).status_code == 200


# --- an admin's rename is audited (identifiers only) ------------------------------------


async def test_an_admin_rename_is_audited_with_identifiers_only(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin, display_name="Clinic Admin")
    clinician = await accounts.make(Role.clinician, display_name="Dr. Before")

    renamed = await client.patch(
        f"/v1/admin/users/{clinician.id}",
        json={"display_name": "Dr. Quite Different"},
        headers=admin.headers,
    )

    assert renamed.status_code == 200
    assert await events_about(accounts, clinician.id) == [("account.update", admin.id.hex)]
    everything = repr(await accounts.sql("SELECT * FROM audit_events"))
    assert "Dr. Before" not in everything
    assert "Dr. Quite Different" not in everything


async def test_rename_and_deactivation_in_one_request_record_one_event_each(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    participant = await accounts.make(Role.participant)

    changed = await client.patch(
        f"/v1/admin/users/{participant.id}",
        json={"display_name": "Someone Else", "is_active": False},
        headers=admin.headers,
    )

    assert changed.status_code == 200
    assert await events_about(accounts, participant.id) == [
        ("account.update", admin.id.hex),
        ("account.deactivate", admin.id.hex),
    ]


# --- (c) the two-person rule ------------------------------------------------------------


async def _clinic(served: ServedApp) -> dict[str, Account]:
    make = served.accounts.make
    return {
        "a": await make(Role.admin),
        "b": await make(Role.admin),
        "participant": await make(Role.participant),
        "clinician": await make(Role.clinician),  # created just now
    }


async def _age(served: ServedApp, account: Account, days: int) -> None:
    await served.accounts.execute(
        update(User).where(User.id == account.id).values(created_at=utcnow() - timedelta(days=days))
    )


async def _approve(served: ServedApp, admin: Account, approval_id: str) -> httpx.Response:
    return await served.client.post(f"{APPROVALS}/{approval_id}/approve", headers=admin.headers)


async def test_recovery_of_an_activated_participant_waits_for_a_second_admin(
    serve_app: ServeApp,
) -> None:
    async with serve_app(second_admin_approval=True) as served:
        who = await _clinic(served)
        client, participant = served.client, who["participant"]
        path = f"/v1/admin/users/{participant.id}/activation-code"

        requested = await client.post(path, headers=who["a"].headers)

        assert requested.status_code == 202, requested.text
        approval = requested.json()
        assert approval["kind"] == "participant_recovery"
        assert approval["status"] == "pending"
        assert approval["requested_by"] == str(who["a"].id)
        assert "activation_code" not in approval
        assert await served.accounts.count("activation_codes") == 0
        assert (await client.get("/v1/me", headers=participant.headers)).status_code == 200
        again = await client.post(path, headers=who["a"].headers)
        assert again.json()["id"] == approval["id"]  # the same request, not a second
        listed = await client.get(APPROVALS, params={"status": "pending"}, headers=who["b"].headers)
        assert [item["id"] for item in listed.json()["items"]] == [approval["id"]]

        own = await _approve(served, who["a"], approval["id"])
        assert own.status_code == 403
        assert own.headers["content-type"] == "application/problem+json"

        approved = await _approve(served, who["b"], approval["id"])

        assert approved.status_code == 200, approved.text
        decision = approved.json()
        assert decision["approval"]["status"] == "approved"
        assert decision["approval"]["decided_by"] == str(who["b"].id)
        assert decision["assignment"] is None
        assert (await client.get("/v1/me", headers=participant.headers)).status_code == 401
        code = decision["activation_code"]
        assert (await activate(client, participant.email, code)).status_code == 200
        assert (await _approve(served, who["b"], approval["id"])).status_code == 409
        assert await events_about(served.accounts, approval["id"]) == [
            ("approval.request", who["a"].id.hex),
            ("approval.approve", who["b"].id.hex),
        ]
        code_events = await events_about(served.accounts, participant.id)
        assert code_events == [("account.activation_code_issue", who["b"].id.hex)]
        rows = repr(await served.accounts.sql("SELECT * FROM admin_approvals"))
        assert code not in rows and code.replace("-", "") not in rows


async def test_codes_that_are_no_recovery_need_no_second_admin(serve_app: ServeApp) -> None:
    async with serve_app(second_admin_approval=True) as served:
        who = await _clinic(served)
        fresh = await served.accounts.make(Role.participant, activated=False)

        for account in (fresh, who["clinician"], who["b"]):
            issued = await served.client.post(
                f"/v1/admin/users/{account.id}/activation-code", headers=who["a"].headers
            )
            assert issued.status_code == 201, issued.text
        assert await served.accounts.count("admin_approvals") == 0


async def _assign(served: ServedApp, admin: Account, who: dict[str, Account]) -> httpx.Response:
    return await served.client.put(
        f"/v1/admin/participants/{who['participant'].id}/clinician",
        json={"clinician_id": str(who["clinician"].id)},
        headers=admin.headers,
    )


async def test_assignment_to_a_new_clinician_account_waits_for_a_second_admin(
    serve_app: ServeApp,
) -> None:
    async with serve_app(second_admin_approval=True) as served:
        who = await _clinic(served)
        participant = who["participant"]

        requested = await _assign(served, who["a"], who)

        assert requested.status_code == 202, requested.text
        approval = requested.json()
        assert approval["kind"] == "new_clinician_assignment"
        assert approval["clinician_id"] == str(who["clinician"].id)
        assert await served.accounts.count("care_assignments") == 0
        mine = await served.client.get("/v1/me/clinician", headers=participant.headers)
        assert mine.json() is None or mine.json().get("clinician") is None

        approved = await _approve(served, who["b"], approval["id"])

        assert approved.status_code == 200, approved.text
        assignment = approved.json()["assignment"]
        assert assignment["clinician_id"] == str(who["clinician"].id)
        assert assignment["assigned_by"] == str(who["b"].id)
        assert approved.json()["activation_code"] is None
        reads = await served.client.get(
            "/v1/clinician/participants", headers=who["clinician"].headers
        )
        assert [item["participant_id"] for item in reads.json()["items"]] == [str(participant.id)]


async def test_assignment_to_an_established_clinician_needs_no_second_admin(
    serve_app: ServeApp,
) -> None:
    async with serve_app(second_admin_approval=True) as served:
        who = await _clinic(served)
        await _age(served, who["clinician"], days=2)

        assigned = await _assign(served, who["a"], who)

        assert assigned.status_code == 200, assigned.text
        assert await served.accounts.count("admin_approvals") == 0


async def test_without_the_setting_nothing_waits(serve_app: ServeApp) -> None:
    async with serve_app() as served:
        who = await _clinic(served)
        path = f"/v1/admin/users/{who['participant'].id}/activation-code"

        assert (await _assign(served, who["a"], who)).status_code == 200
        assert (await served.client.post(path, headers=who["a"].headers)).status_code == 201
        assert await served.accounts.count("admin_approvals") == 0


async def test_a_rejected_or_expired_request_cannot_be_approved(serve_app: ServeApp) -> None:
    async with serve_app(second_admin_approval=True) as served:
        who = await _clinic(served)
        first = (await _assign(served, who["a"], who)).json()

        withdrawn = await served.client.post(
            f"{APPROVALS}/{first['id']}/reject", headers=who["a"].headers
        )
        assert withdrawn.status_code == 200
        assert withdrawn.json()["status"] == "rejected"
        assert (await _approve(served, who["b"], first["id"])).status_code == 409

        second = (await _assign(served, who["a"], who)).json()
        assert second["id"] != first["id"]
        await served.accounts.execute(
            update(AdminApproval)
            .where(AdminApproval.id == uuid.UUID(second["id"]))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        assert (await _approve(served, who["b"], second["id"])).status_code == 409
        expired = await served.client.get(
            APPROVALS, params={"status": "expired"}, headers=who["b"].headers
        )
        assert [item["id"] for item in expired.json()["items"]] == [second["id"]]
        assert await served.accounts.count("care_assignments") == 0


async def test_a_request_that_no_longer_applies_is_409_and_changes_nothing(
    serve_app: ServeApp,
) -> None:
    async with serve_app(second_admin_approval=True) as served:
        who = await _clinic(served)
        approval = (await _assign(served, who["a"], who)).json()
        off = await served.client.patch(
            f"/v1/admin/users/{who['clinician'].id}",
            json={"is_active": False},
            headers=who["a"].headers,
        )
        assert off.status_code == 200

        refused = await _approve(served, who["b"], approval["id"])

        assert refused.status_code == 409, refused.text
        assert await served.accounts.count("care_assignments") == 0
        pending = await served.client.get(APPROVALS, headers=who["b"].headers)
        assert [item["status"] for item in pending.json()["items"]] == ["pending"]


async def test_unknown_approval_and_bad_cursor_are_4xx(serve_app: ServeApp) -> None:
    async with serve_app(second_admin_approval=True) as served:
        who = await _clinic(served)
        missing = await _approve(served, who["b"], "00000000-0000-4000-8000-000000000000")
        bad = await served.client.get(
            APPROVALS, params={"cursor": "bm90LWEtY3Vyc29y"}, headers=who["b"].headers
        )

        assert missing.status_code == 404
        assert bad.status_code == 422
