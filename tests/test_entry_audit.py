"""Entry edits and deletions are audited: who, whose journal, which entry; never content."""

import uuid
from typing import Any

import httpx

from app.users.models import Role
from tests.conftest import Account, Accounts

EVENTS = "/v1/admin/audit-events"
NOTE = "Told my sister about the panic on the train"
EDITED_NOTE = "A quieter day; walked to the harbour"


async def _entry(client: httpx.AsyncClient, who: Account) -> dict[str, Any]:
    body = {"recorded_at": "2026-11-20T08:30:00+01:00", "mood": 4, "focus": 5, "anxiety": 8}
    response = await client.post(
        "/v1/me/entries", json={**body, "note": NOTE, "tags": ["train"]}, headers=who.headers
    )
    assert response.status_code == 201
    return dict(response.json())


async def _journal_events(
    client: httpx.AsyncClient, accounts: Accounts, participant: Account
) -> list[dict[str, Any]]:
    admin = await accounts.make(Role.admin)
    response = await client.get(
        EVENTS, params={"participant_id": str(participant.id)}, headers=admin.headers
    )
    assert response.status_code == 200
    return [e for e in response.json()["items"] if e["action"].startswith("journal.entry_")]


async def test_entry_edit_and_delete_write_one_event_each_with_identifiers_only(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    entry = await _entry(client, sam)
    url = f"/v1/me/entries/{entry['id']}"
    edit = await client.patch(url, json={"note": EDITED_NOTE, "mood": 6}, headers=sam.headers)
    assert edit.status_code == 200
    assert (await client.delete(url, headers=sam.headers)).status_code == 204

    events = await _journal_events(client, accounts, sam)
    # Newest first.
    assert [e["action"] for e in events] == ["journal.entry_delete", "journal.entry_update"]
    for event in events:
        assert event["actor_id"] == event["participant_id"] == str(sam.id)
        assert event["actor_role"] == "participant"
        assert event["subject_id"] == entry["id"]
        assert event["outcome"] == "success"
    stored = str(await accounts.sql("SELECT * FROM audit_events"))
    for content in (NOTE, EDITED_NOTE, "train"):
        assert content not in stored


async def test_refused_edits_and_deletions_write_no_event(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam, alex = await accounts.make(), await accounts.make()
    entry = await _entry(client, sam)
    url = f"/v1/me/entries/{entry['id']}"
    refused = [
        await client.patch(url, json={"mood": 1}, headers=alex.headers),  # not theirs
        await client.delete(url, headers=alex.headers),
        await client.patch(url, json={"mood": 1}, headers={**sam.headers, "If-Match": '"9"'}),
        await client.delete(url, headers={**sam.headers, "If-Match": '"9"'}),
        await client.patch(f"/v1/me/entries/{uuid.uuid4()}", json={"mood": 1}, headers=sam.headers),
        await client.patch(url, json={"mood": 11}, headers=sam.headers),  # invalid
    ]
    assert [r.status_code for r in refused] == [404, 404, 412, 412, 404, 422]
    assert await _journal_events(client, accounts, sam) == []
    assert await _journal_events(client, accounts, alex) == []


async def test_own_edits_do_not_show_in_the_participants_access_log(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    entry = await _entry(client, sam)
    url = f"/v1/me/entries/{entry['id']}"
    await client.patch(url, json={"mood": 6}, headers=sam.headers)
    await client.delete(url, headers=sam.headers)
    log = await client.get("/v1/me/access-log", headers=sam.headers)
    assert log.json()["items"] == []
