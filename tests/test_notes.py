"""The minimum necessary: a participant's notes are theirs unless shared; clinician notes are
an append-only record, some of them written for the participant."""

import json
import uuid
from typing import Any

import httpx
import pytest

from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import care_team, post_entry

PRIVATE = "a private thought, only mine"


def entries_path(participant: Account) -> str:
    return f"/v1/clinician/participants/{participant.id}/entries"


def notes_path(participant: Account) -> str:
    return f"/v1/clinician/participants/{participant.id}/notes"


async def clinician_notes_seen(
    client: httpx.AsyncClient, clinician: Account, sam: Account
) -> list[Any]:
    page = await client.get(entries_path(sam), headers=clinician.headers)
    assert page.status_code == 200
    return [item["note"] for item in page.json()["items"]]


async def test_a_note_reaches_the_clinician_only_while_shared(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    created = (await post_entry(client, sam, note=PRIVATE)).json()
    url = f"/v1/me/entries/{created['id']}"

    assert created["note_shared"] is False  # the default preference
    assert await clinician_notes_seen(client, clinician, sam) == [None]

    shared = await client.patch(url, json={"note_shared": True}, headers=sam.headers)
    assert shared.json()["version"] == 2
    assert await clinician_notes_seen(client, clinician, sam) == [PRIVATE]

    await client.patch(url, json={"note_shared": False}, headers=sam.headers)
    assert await clinician_notes_seen(client, clinician, sam) == [None]
    # The participant reads their own note whatever it is shared or not.
    assert (await client.get(url, headers=sam.headers)).json()["note"] == PRIVATE


async def test_sharing_changes_are_changes_for_the_other_devices(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    created = (await post_entry(client, sam, note=PRIVATE)).json()
    await client.patch(
        f"/v1/me/entries/{created['id']}", json={"note_shared": True}, headers=sam.headers
    )

    feed = (await client.get("/v1/me/entries/changes", headers=sam.headers)).json()

    assert [(item["version"], item["entry"]["note_shared"]) for item in feed["items"]] == [
        (2, True)
    ]


async def test_the_preference_applies_to_later_entries_only(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    await post_entry(client, sam, note="before", recorded_at="2026-11-20T08:00:00+00:00")

    changed = await client.patch(
        "/v1/me", json={"share_notes_with_care_team": True}, headers=sam.headers
    )
    await post_entry(client, sam, note="after", recorded_at="2026-11-21T08:00:00+00:00")
    explicit = await post_entry(
        client, sam, note="kept", note_shared=False, recorded_at="2026-11-22T08:00:00+00:00"
    )

    assert changed.status_code == 200 and changed.json()["share_notes_with_care_team"] is True
    assert (await client.get("/v1/me", headers=sam.headers)).json()["share_notes_with_care_team"]
    assert explicit.json()["note_shared"] is False
    assert await clinician_notes_seen(client, clinician, sam) == [None, "after", None]


async def test_the_note_sharing_preference_takes_only_true_or_false(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    for value in (0, 1, "true", None):
        refused = await client.patch(
            "/v1/me", json={"share_notes_with_care_team": value}, headers=sam.headers
        )
        assert refused.status_code == (200 if value is None else 422), value
        refused = await post_entry(client, sam, note_shared=value)
        assert refused.status_code == 422, value


async def test_no_clinician_route_shows_a_private_note(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    await post_entry(client, sam, note=PRIVATE)
    base = f"/v1/clinician/participants/{sam.id}"
    paths = [
        "/v1/clinician/participants",
        base,
        f"{base}/entries",
        f"{base}/summary",
        f"{base}/review-mark",
        f"{base}/notes",
    ]
    for path in paths:
        response = await client.get(path, headers=clinician.headers)
        assert response.status_code == 200, path
        assert PRIVATE not in response.text, path


async def write(
    client: httpx.AsyncClient, clinician: Account, sam: Account, **body: Any
) -> httpx.Response:
    return await client.post(notes_path(sam), json=body, headers=clinician.headers)


async def test_clinician_notes_are_append_only_and_corrections_supersede(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    first = (await write(client, clinician, sam, text="Saw Sam.", visibility="care_team")).json()
    second = await write(
        client, clinician, sam, text="Saw Sam on Monday.", visibility="care_team",
        supersedes=first["id"],
    )  # fmt: skip
    again = await write(
        client, clinician, sam, text="Twice?", visibility="care_team", supersedes=first["id"]
    )

    assert second.status_code == 201 and again.status_code == 409
    fetched = await client.get(second.headers["location"], headers=clinician.headers)
    assert fetched.json() == second.json()
    earlier = await client.get(f"{notes_path(sam)}/{first['id']}", headers=clinician.headers)
    assert earlier.json()["superseded_by"] == second.json()["id"]
    assert again.json()["type"].endswith("/note-not-supersedable")
    listed = (await client.get(notes_path(sam), headers=clinician.headers)).json()["items"]
    assert [(n["text"], n["supersedes"], n["superseded_by"]) for n in listed] == [
        ("Saw Sam on Monday.", first["id"], None),
        ("Saw Sam.", None, second.json()["id"]),
    ]
    assert listed[0]["author"] == "Dr. Okafor"
    for method in ("PATCH", "PUT", "DELETE"):
        response = await client.request(
            method, f"{notes_path(sam)}/{first['id']}", json={}, headers=clinician.headers
        )
        assert response.status_code in (404, 405), method


async def test_a_note_of_another_participant_cannot_be_superseded(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam, alex) = await care_team(client, accounts, participants=2)
    theirs = await write(client, clinician, alex, text="About Alex.", visibility="care_team")
    refused = await write(
        client, clinician, sam, text="x", visibility="care_team", supersedes=theirs.json()["id"]
    )
    unknown = await write(
        client, clinician, sam, text="x", visibility="care_team", supersedes=str(uuid.uuid4())
    )
    assert refused.status_code == unknown.status_code == 409
    assert refused.json() == unknown.json()  # nothing tells the two apart


@pytest.mark.parametrize(
    "body",
    [
        {"text": "x" * 5001, "visibility": "care_team"},
        {"text": "a\x00b", "visibility": "care_team"},
        {"text": "", "visibility": "care_team"},
        {"text": "ok", "visibility": "everyone"},
        {"text": "ok"},
        {"text": "ok", "visibility": "care_team", "supersedes": "not-a-uuid"},
    ],
)
async def test_bad_notes_are_422_and_store_nothing(
    client: httpx.AsyncClient, accounts: Accounts, body: dict[str, Any]
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    response = await client.post(notes_path(sam), json=body, headers=clinician.headers)
    assert response.status_code == 422
    assert await accounts.count("clinician_notes") == 0


async def test_who_may_write_and_read_notes(client: httpx.AsyncClient, accounts: Accounts) -> None:
    admin, _clinician, (sam,) = await care_team(client, accounts)
    stranger = await accounts.make(Role.clinician)
    body = {"text": "x", "visibility": "care_team"}
    assert (
        await client.post(notes_path(sam), json=body, headers=stranger.headers)
    ).status_code == 404
    assert (await client.get(notes_path(sam), headers=stranger.headers)).status_code == 404
    assert (await client.post(notes_path(sam), json=body, headers=admin.headers)).status_code == 403
    assert (await client.get("/v1/me/care-notes", headers=admin.headers)).status_code == 403


async def test_the_participant_reads_the_notes_written_for_them(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    await write(client, clinician, sam, text="For the team only.", visibility="care_team")
    await write(client, clinician, sam, text="We talk again Friday.", visibility="participant")

    mine = (await client.get("/v1/me/care-notes", headers=sam.headers)).json()["items"]
    exported = json.loads((await client.get("/v1/me/export", headers=sam.headers)).content)

    assert [note["text"] for note in mine] == ["We talk again Friday."]
    assert [note["text"] for note in exported["care_notes"]] == ["We talk again Friday."]
    assert "For the team only." not in json.dumps(exported)


async def test_the_audit_trail_keeps_that_notes_existed_never_their_text(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    first = await write(client, clinician, sam, text="Secret words.", visibility="care_team")
    await write(
        client, clinician, sam, text="Other secret words.", visibility="participant",
        supersedes=first.json()["id"],
    )  # fmt: skip
    await client.get(notes_path(sam), headers=clinician.headers)
    assert (await client.delete("/v1/me", headers=sam.headers)).status_code == 204

    rows = await accounts.sql("SELECT * FROM audit_events")
    actions = [action for action, _ in await accounts.audit_actions()]
    assert "secret" not in repr(rows).lower()
    assert actions.count("clinician.note_write") == 2
    assert actions.count("clinician.note_supersede") == 1
    assert "clinician.read_notes" in actions
    assert await accounts.count("clinician_notes") == 0  # erased with the account


@pytest.mark.postgres_only("the append-only trigger is PostgreSQL's")
async def test_the_database_refuses_to_change_a_note(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    from sqlalchemy.exc import DBAPIError

    _admin, clinician, (sam,) = await care_team(client, accounts)
    await write(client, clinician, sam, text="As written.", visibility="care_team")

    with pytest.raises(DBAPIError, match="append-only"):
        await accounts.sql("UPDATE clinician_notes SET text = 'rewritten'")
    assert await accounts.sql("SELECT text FROM clinician_notes") == [("As written.",)]
