"""Participant journal: create, idempotency, read, edit, delete, list, validation."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.pagination import encode_cursor
from tests.conftest import Accounts
from tests.helpers import count_entries, created_entry, entry_body, post_entry


async def test_create_entry_returns_201_with_location_etag_and_local_date(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    response = await post_entry(client, sam, recorded_at="2026-11-20T23:30:00-05:00")
    assert response.status_code == 201
    body = created_entry(response)
    assert response.headers["location"] == f"/v1/me/entries/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["recorded_at"] == "2026-11-21T04:30:00Z"
    assert body["local_date"] == "2026-11-20"  # the participant's own day, from the offset
    assert body["utc_offset_minutes"] == -300
    assert body["tags"] == ["walk", "good-sleep"]
    assert body["version"] == 1
    fetched = await client.get(response.headers["location"], headers=sam.headers)
    assert fetched.status_code == 200
    assert fetched.json() == body


async def test_retry_with_same_id_and_content_returns_stored_entry_with_200(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    entry_id = str(uuid.uuid4())
    first = await post_entry(client, sam, id=entry_id)
    again = await post_entry(client, sam, id=entry_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert await count_entries(accounts) == 1


async def test_retries_and_conflicts_leave_the_change_counter_alone(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam, alex = await accounts.make(), await accounts.make()
    entry_id = str(uuid.uuid4())
    assert (await post_entry(client, sam, id=entry_id)).status_code == 201
    assert (await post_entry(client, sam, id=entry_id)).status_code == 200
    assert (await post_entry(client, sam, id=entry_id, mood=2)).status_code == 409
    assert (await post_entry(client, alex, id=entry_id)).status_code == 409
    counters = await accounts.sql(
        "SELECT participant_id, last_change_seq FROM journal_counters ORDER BY last_change_seq"
    )
    assert [(str(owner).replace("-", ""), seq) for owner, seq in counters] == [(sam.id.hex, 1)]


async def test_same_id_with_other_content_is_409(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    entry_id = str(uuid.uuid4())
    await post_entry(client, sam, id=entry_id)
    response = await post_entry(client, sam, id=entry_id, mood=2)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    stored = await client.get(f"/v1/me/entries/{entry_id}", headers=sam.headers)
    assert stored.json()["mood"] == 7


async def test_id_used_by_another_participant_is_409_revealing_nothing(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam, alex = await accounts.make(), await accounts.make()
    entry_id = str(uuid.uuid4())
    await post_entry(client, sam, id=entry_id, note="private to sam")
    same_content = await post_entry(client, alex, id=entry_id, note="private to sam")
    other_content = await post_entry(client, alex, id=entry_id, mood=1)
    assert same_content.status_code == other_content.status_code == 409
    assert same_content.json() == other_content.json()
    assert "private" not in same_content.text
    assert await count_entries(accounts) == 1


async def test_twenty_concurrent_posts_of_one_id_store_exactly_one_row(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    entry_id = str(uuid.uuid4())
    responses = await asyncio.gather(*(post_entry(client, sam, id=entry_id) for _ in range(20)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 19 + [201]
    assert await count_entries(accounts) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mood", -1),
        ("mood", 11),
        ("focus", 11),
        ("anxiety", -1),
        ("creativity", 11),
        ("connection", -5),
        ("mood", 5.5),
        ("mood", "high"),
        ("mood", None),
        ("recorded_at", "2026-11-20T08:30:00"),
        ("recorded_at", "not a time"),
        ("note", "x" * 2001),
        ("note", "nul \x00 byte"),
        ("tags", ["Upper"]),
        ("tags", ["has space"]),
        ("tags", [""]),
        ("tags", ["x" * 33]),
        ("tags", [f"t{i}" for i in range(11)]),
        ("tags", "walk"),
        ("id", "not-a-uuid"),
        ("colour", "blue"),
    ],
)
async def test_invalid_entry_is_422_naming_the_field_and_stores_nothing(
    client: httpx.AsyncClient, accounts: Accounts, field: str, value: float | str | list[str] | None
) -> None:
    sam = await accounts.make()
    response = await post_entry(client, sam, **{field: value})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422
    assert any(error["field"].startswith(f"body.{field}") for error in problem["errors"])
    assert await count_entries(accounts) == 0


async def test_missing_required_rating_is_422(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    body = entry_body()
    del body["anxiety"]
    response = await client.post("/v1/me/entries", json=body, headers=sam.headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.anxiety"]
    assert await count_entries(accounts) == 0


async def test_entry_more_than_five_minutes_in_the_future_is_refused(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    soon = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
    later = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    assert (await post_entry(client, sam, recorded_at=soon)).status_code == 201
    refused = await post_entry(client, sam, recorded_at=later)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.recorded_at"
    assert await count_entries(accounts) == 1


async def test_empty_note_is_stored_as_null_and_duplicate_tags_collapse(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    body = created_entry(await post_entry(client, sam, note="", tags=["a", "a", "b"]))
    assert body["note"] is None
    assert body["tags"] == ["a", "b"]


async def test_patch_changes_only_sent_fields_and_bumps_etag(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    created = created_entry(await post_entry(client, sam))
    url = f"/v1/me/entries/{created['id']}"
    response = await client.patch(
        url, json={"mood": 2, "note": None}, headers={**sam.headers, "If-Match": '"1"'}
    )
    assert response.status_code == 200
    assert response.headers["etag"] == '"2"'
    body = response.json()
    assert (body["mood"], body["note"], body["focus"], body["version"]) == (2, None, 6, 2)


async def test_patch_recorded_at_recomputes_local_date(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    created = created_entry(await post_entry(client, sam))
    body = (
        await client.patch(
            f"/v1/me/entries/{created['id']}",
            json={"recorded_at": "2026-11-19T01:00:00+09:00"},
            headers=sam.headers,
        )
    ).json()
    assert (body["local_date"], body["recorded_at"]) == ("2026-11-19", "2026-11-18T16:00:00Z")


@pytest.mark.parametrize("body", [{"mood": None}, {"mood": 12}, {"extra": 1}, {"tags": None}])
async def test_invalid_patch_is_422_and_changes_nothing(
    client: httpx.AsyncClient, accounts: Accounts, body: dict[str, int | None]
) -> None:
    sam = await accounts.make()
    created = created_entry(await post_entry(client, sam))
    url = f"/v1/me/entries/{created['id']}"
    assert (await client.patch(url, json=body, headers=sam.headers)).status_code == 422
    assert (await client.get(url, headers=sam.headers)).json() == created


async def test_stale_if_match_gets_412_on_patch_and_delete(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    created = created_entry(await post_entry(client, sam))
    url = f"/v1/me/entries/{created['id']}"
    await client.patch(url, json={"mood": 1}, headers={**sam.headers, "If-Match": '"1"'})
    stale = {**sam.headers, "If-Match": '"1"'}
    patched = await client.patch(url, json={"mood": 9}, headers=stale)
    deleted = await client.delete(url, headers=stale)
    assert patched.status_code == deleted.status_code == 412
    current = (await client.get(url, headers=sam.headers)).json()
    assert (current["mood"], current["version"]) == (1, 2)


async def test_two_parallel_patches_with_one_etag_exactly_one_wins(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    """Two devices edit the same version at once: one succeeds, the other learns of it."""
    sam = await accounts.make()
    created = created_entry(await post_entry(client, sam))
    url = f"/v1/me/entries/{created['id']}"
    headers = {**sam.headers, "If-Match": '"1"'}
    results = await asyncio.gather(
        *(client.patch(url, json={"mood": m}, headers=headers) for m in (1, 2, 3, 4))
    )
    assert sorted(r.status_code for r in results) == [200, 412, 412, 412]
    winner = next(r.json() for r in results if r.status_code == 200)
    assert (await client.get(url, headers=sam.headers)).json()["mood"] == winner["mood"]


async def test_delete_hides_entry_everywhere_and_keeps_a_tombstone(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    created = created_entry(await post_entry(client, sam, note="gone soon"))
    url = f"/v1/me/entries/{created['id']}"
    assert (await client.delete(url, headers={**sam.headers, "If-Match": '"1"'})).status_code == 204
    assert (await client.get(url, headers=sam.headers)).status_code == 404
    assert (await client.patch(url, json={"mood": 1}, headers=sam.headers)).status_code == 404
    assert (await client.get("/v1/me/entries", headers=sam.headers)).json()["items"] == []
    rows = await accounts.sql(
        "SELECT note, mood, deleted_at IS NOT NULL FROM journal_entries WHERE participant_id = :p",
        p=sam.id.hex if "sqlite" in str(accounts.app.state.engine.url) else sam.id,
    )
    assert rows == [(None, None, True)]
    # a retried create with the old id does not resurrect it
    retry = await post_entry(client, sam, id=created["id"], note="gone soon")
    assert retry.status_code == 409


async def test_list_is_newest_first_with_filters_and_keyset_pages(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    base = datetime(2026, 11, 1, 12, tzinfo=UTC)
    for day in range(7):
        tags = ["even"] if day % 2 == 0 else ["odd"]
        recorded = (base + timedelta(days=day)).isoformat()
        await post_entry(client, sam, recorded_at=recorded, mood=day, tags=tags)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/me/entries", params=params, headers=sam.headers)).json()
        seen += [item["mood"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [6, 5, 4, 3, 2, 1, 0]
    filtered = await client.get(
        "/v1/me/entries",
        params={"tag": "even", "from": "2026-11-02T00:00:00Z", "to": "2026-11-06T12:00:00Z"},
        headers=sam.headers,
    )
    assert [item["mood"] for item in filtered.json()["items"]] == [4, 2]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "garbage"},
        {"cursor": "WyJlbnRyaWVzIiwxXQ"},
        {"cursor": "WyJjaGFuZ2VzIiw1XQ"},
        pytest.param(
            {"cursor": encode_cursor("entries", ["2026-11-02T00:00:00", str(uuid.UUID(int=1))])},
            id="cursor-with-naive-time",
        ),
        {"limit": 0},
        {"limit": 201},
        {"from": "yesterday"},
        {"from": "2026-11-02T00:00:00"},
        {"tag": "Bad Tag"},
    ],
)
async def test_bad_list_parameters_are_422(
    client: httpx.AsyncClient, accounts: Accounts, params: dict[str, str | int]
) -> None:
    sam = await accounts.make()
    response = await client.get("/v1/me/entries", params=params, headers=sam.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_participant_reaches_none_of_another_participants_entries(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam, alex = await accounts.make(), await accounts.make()
    theirs = created_entry(await post_entry(client, sam, note="sam's secret"))
    url = f"/v1/me/entries/{theirs['id']}"
    missing = f"/v1/me/entries/{uuid.uuid4()}"
    for path in (url, missing):
        got = await client.get(path, headers=alex.headers)
        patched = await client.patch(path, json={"mood": 0}, headers=alex.headers)
        deleted = await client.delete(path, headers=alex.headers)
        assert got.status_code == patched.status_code == deleted.status_code == 404
    assert (await client.get(url, headers=alex.headers)).json() == (
        await client.get(missing, headers=alex.headers)
    ).json()
    for path in ("/v1/me/entries", "/v1/me/entries/changes"):
        assert (await client.get(path, headers=alex.headers)).json()["items"] == []
    summary = (await client.get("/v1/me/summary", headers=alex.headers)).json()
    assert summary["entries"] == 0
    assert (await client.get(url, headers=sam.headers)).json() == theirs
