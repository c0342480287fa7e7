"""What an offline-first client's outbox meets when it retries: a create that arrives after
the entry changed, an id someone else has, a delete retried, an edit that changes nothing."""

import uuid
from typing import Any

import httpx

from tests.conftest import Account, Accounts
from tests.helpers import entry_body


async def _create(client: httpx.AsyncClient, who: Account, **overrides: Any) -> httpx.Response:
    return await client.post("/v1/me/entries", json=entry_body(**overrides), headers=who.headers)


async def _feed(client: httpx.AsyncClient, who: Account) -> list[dict[str, Any]]:
    response = await client.get("/v1/me/entries/changes", headers=who.headers)
    return list(response.json()["items"])


async def test_a_create_retried_after_an_edit_says_the_entry_is_yours_and_changed(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    entry_id = str(uuid.uuid4())
    assert (await _create(client, sam, id=entry_id)).status_code == 201
    url = f"/v1/me/entries/{entry_id}"
    edited = await client.patch(
        url, json={"note": "actually not safe tonight"}, headers=sam.headers
    )

    late = await _create(client, sam, id=entry_id)

    assert late.status_code == 409
    assert late.headers["content-type"] == "application/problem+json"
    problem = late.json()
    assert problem["type"].endswith("/entry-changed")
    assert (problem["current_version"], problem["deleted"]) == (2, False)
    assert problem["entry"] == edited.json()
    assert late.headers["etag"] == '"2"'
    assert (await client.get(url, headers=sam.headers)).json() == edited.json()


async def test_a_create_retried_after_a_delete_says_it_was_deleted(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    entry_id = str(uuid.uuid4())
    await _create(client, sam, id=entry_id)
    await client.delete(f"/v1/me/entries/{entry_id}", headers=sam.headers)

    late = await _create(client, sam, id=entry_id)

    assert late.status_code == 409
    problem = late.json()
    assert problem["type"].endswith("/entry-changed")
    assert (problem["current_version"], problem["deleted"], problem["entry"]) == (2, True, None)
    assert (await client.get(f"/v1/me/entries/{entry_id}", headers=sam.headers)).status_code == 404


async def test_another_participants_id_is_only_not_available(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam, alex = await accounts.make(), await accounts.make()
    entry_id = str(uuid.uuid4())
    await _create(client, sam, id=entry_id, note="private to sam")
    await client.patch(f"/v1/me/entries/{entry_id}", json={"mood": 1}, headers=sam.headers)

    taken = await _create(client, alex, id=entry_id, note="private to sam")

    assert taken.status_code == 409
    problem = taken.json()
    assert problem["type"].endswith("/entry-id-unavailable")
    assert set(problem) == {"type", "title", "status", "detail"}
    assert "etag" not in taken.headers
    assert "private" not in taken.text


async def test_a_retried_delete_is_204_and_changes_nothing_more(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    created = (await _create(client, sam)).json()
    url = f"/v1/me/entries/{created['id']}"

    first = await client.delete(url, headers={**sam.headers, "If-Match": '"1"'})
    retry = await client.delete(url, headers={**sam.headers, "If-Match": '"1"'})

    assert first.status_code == retry.status_code == 204
    assert [(c["deleted"], c["version"]) for c in await _feed(client, sam)] == [(True, 2)]
    assert [a for a, _ in await accounts.audit_actions()].count("journal.entry_delete") == 1


async def test_deleting_someone_elses_or_an_unknown_entry_is_still_404(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam, alex = await accounts.make(), await accounts.make()
    created = (await _create(client, sam)).json()
    url = f"/v1/me/entries/{created['id']}"
    await client.delete(url, headers=sam.headers)

    assert (await client.delete(url, headers=alex.headers)).status_code == 404
    unknown = f"/v1/me/entries/{uuid.uuid4()}"
    assert (await client.delete(unknown, headers=sam.headers)).status_code == 404


async def test_an_edit_that_changes_nothing_keeps_the_version_and_the_feed(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    created = (await _create(client, sam, recorded_at="2026-11-20T08:30:00+01:00")).json()
    url = f"/v1/me/entries/{created['id']}"
    same = {
        "mood": created["mood"],
        "note": created["note"],
        "tags": list(reversed(list(reversed(created["tags"])))),
        "recorded_at": "2026-11-20T07:30:00Z",  # the same instant, but not the same offset
    }

    moved = await client.patch(url, json=same, headers={**sam.headers, "If-Match": '"1"'})
    assert moved.json()["version"] == 2  # the offset (and so the local day) is content
    unchanged = await client.patch(
        url,
        json={**same, "recorded_at": "2026-11-20T07:30:00Z"},
        headers={**sam.headers, "If-Match": '"2"'},
    )
    empty = await client.patch(url, json={}, headers=sam.headers)

    assert unchanged.status_code == empty.status_code == 200
    assert unchanged.headers["etag"] == empty.headers["etag"] == '"2"'
    assert unchanged.json() == empty.json() == moved.json()
    assert [c["version"] for c in await _feed(client, sam)] == [2]
    assert [a for a, _ in await accounts.audit_actions()].count("journal.entry_update") == 1
    stale = await client.patch(url, json={}, headers={**sam.headers, "If-Match": '"1"'})
    assert stale.status_code == 412
