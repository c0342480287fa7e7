"""The sync feed: every change, oldest first, tombstones, and no skipped change under load."""

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.journal.counters import next_change_seq
from tests.conftest import Account, Accounts
from tests.helpers import created_entry, own_scope_of, post_entry


async def read_feed(
    client: httpx.AsyncClient, who: Account, cursor: str | None
) -> tuple[list[dict[str, Any]], str]:
    """Follow the feed from `cursor` to its end, as a device would."""
    items: list[dict[str, Any]] = []
    while True:
        params: dict[str, Any] = {"limit": 7}
        if cursor is not None:
            params["cursor"] = cursor
        response = await client.get("/v1/me/entries/changes", params=params, headers=who.headers)
        assert response.status_code == 200
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return items, cursor


async def test_feed_reports_creates_edits_and_tombstones_in_order(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    first = created_entry(await post_entry(client, sam, mood=1))
    second = created_entry(await post_entry(client, sam, mood=2))
    items, cursor = await read_feed(client, sam, None)
    assert [item["id"] for item in items] == [first["id"], second["id"]]
    assert items[0]["entry"] == first and items[0]["deleted"] is False

    await client.patch(f"/v1/me/entries/{first['id']}", json={"mood": 9}, headers=sam.headers)
    await client.delete(f"/v1/me/entries/{second['id']}", headers=sam.headers)
    changes, cursor = await read_feed(client, sam, cursor)
    assert [(c["id"], c["deleted"]) for c in changes] == [
        (first["id"], False),
        (second["id"], True),
    ]
    assert changes[0]["entry"]["mood"] == 9 and changes[0]["version"] == 2
    assert changes[1]["entry"] is None and changes[1]["version"] == 2

    nothing_new, same_cursor = await read_feed(client, sam, cursor)
    assert nothing_new == [] and same_cursor == cursor


async def test_feed_of_one_participant_never_shows_another(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam, alex = await accounts.make(), await accounts.make()
    await post_entry(client, sam)
    assert (await read_feed(client, alex, None))[0] == []


async def test_offline_device_catches_up_with_everything_in_one_pass(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    _, cursor = await read_feed(client, sam, None)
    ids = [created_entry(await post_entry(client, sam, mood=i % 11))["id"] for i in range(20)]
    for entry_id in ids[:5]:
        await client.delete(f"/v1/me/entries/{entry_id}", headers=sam.headers)
    items, _ = await read_feed(client, sam, cursor)
    assert sorted(item["id"] for item in items) == sorted(ids)
    assert sum(item["deleted"] for item in items) == 5


async def test_feed_never_skips_a_change_while_devices_write_concurrently(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    """Four devices write (create, then edit) at the same time while a fifth follows the feed
    with its cursor. Whatever order the transactions commit in, the follower ends up having
    seen the latest version of every entry."""
    sam = await accounts.make()
    written: dict[str, int] = {}
    writers_done = asyncio.Event()

    async def device(number: int) -> None:
        for i in range(12):
            entry_id = str(uuid.uuid4())
            response = await post_entry(client, sam, id=entry_id, mood=(number + i) % 11)
            assert response.status_code == 201
            written[entry_id] = 1
            if i % 3 == 0:
                edited = await client.patch(
                    f"/v1/me/entries/{entry_id}", json={"focus": 1}, headers=sam.headers
                )
                assert edited.status_code == 200
                written[entry_id] = 2

    async def follower() -> dict[str, int]:
        seen: dict[str, int] = {}
        cursor = None
        while True:
            finished = writers_done.is_set()
            items, cursor = await read_feed(client, sam, cursor)
            for item in items:
                seen[item["id"]] = item["version"]
            if finished:
                return seen
            await asyncio.sleep(0)

    follow = asyncio.create_task(follower())
    await asyncio.gather(*(device(n) for n in range(4)))
    writers_done.set()
    seen = await follow
    assert seen == written


@pytest.mark.postgres_only("SQLite serialises every writer with BEGIN IMMEDIATE already")
async def test_change_counter_lock_orders_a_participants_commits(
    app: FastAPI, accounts: Accounts, is_postgres: bool
) -> None:
    """The mechanism behind the feed: while one transaction holds a participant's next change
    number uncommitted, another writer for that participant waits instead of overtaking."""
    sam = await accounts.make()
    maker = app.state.sessionmaker
    async with maker() as first, maker() as second:
        first_seq = await next_change_seq(first, own_scope_of(sam))
        overtaking = asyncio.create_task(next_change_seq(second, own_scope_of(sam)))
        await asyncio.sleep(0.3)
        assert not overtaking.done()  # blocked behind the uncommitted first writer
        await first.commit()
        second_seq = await asyncio.wait_for(overtaking, timeout=5)
        await second.commit()
    assert second_seq == first_seq + 1
