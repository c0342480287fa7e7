"""The per-day rollup (`journal_days`) always equals the same figures counted from the live
entries: after random creates, edits and deletions, some of them concurrent, by participants
in different time zones; and an erased journal leaves no row."""

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from tests.conftest import Account, Accounts
from tests.helpers import entry_body

DIMENSIONS = ("mood", "focus", "anxiety", "creativity", "connection")
FIGURES = ", ".join(f"{d}_count, {d}_sum, {d}_min, {d}_max" for d in DIMENSIONS)
COUNTED = ", ".join(f"count({d}), coalesce(sum({d}), 0), min({d}), max({d})" for d in DIMENSIONS)
ROLLUP = f"SELECT participant_id, local_date, entries, {FIGURES} FROM journal_days"  # noqa: S608
RECOUNTED = (
    f"SELECT participant_id, local_date, count(*), {COUNTED} FROM journal_entries "  # noqa: S608
    "WHERE deleted_at IS NULL GROUP BY participant_id, local_date"
)
ZONES = (timezone(timedelta(hours=-7)), UTC, timezone(timedelta(hours=13)))


def _normalised(rows: list[tuple[object, ...]]) -> list[tuple[str, ...]]:
    # Sums come back as Decimal on PostgreSQL, dates as text on SQLite: compare as text.
    return sorted(tuple(str(value) for value in row) for row in rows)


async def _rollup_matches_entries(accounts: Accounts) -> list[tuple[str, ...]]:
    rollup = _normalised(await accounts.sql(ROLLUP))
    assert rollup == _normalised(await accounts.sql(RECOUNTED))
    return rollup


def _random_fields(rng: random.Random) -> dict[str, Any]:
    start = datetime(2026, 11, 20, 10, tzinfo=UTC)
    when = start + timedelta(hours=rng.randrange(0, 5 * 24, 5))
    return {
        "recorded_at": when.astimezone(rng.choice(ZONES)).isoformat(),
        "mood": rng.randint(0, 10),
        "focus": rng.randint(0, 10),
        "anxiety": rng.randint(0, 10),
        "creativity": rng.choice([None, rng.randint(0, 10)]),
        "connection": rng.choice([None, rng.randint(0, 10)]),
    }


class Writer:
    """One participant writing at random: its entries' ids, live or deleted."""

    def __init__(self, client: httpx.AsyncClient, who: Account, rng: random.Random) -> None:
        self.client, self.who, self.rng = client, who, rng
        self.ids: list[str] = []

    async def step(self) -> None:
        roll = self.rng.random()
        if not self.ids or roll < 0.5:
            entry_id = str(uuid.uuid4())
            self.ids.append(entry_id)
            body = entry_body(id=entry_id, **_random_fields(self.rng))
            answer = await self.client.post("/v1/me/entries", json=body, headers=self.who.headers)
            assert answer.status_code == 201, answer.text
            return
        entry_id = self.rng.choice(self.ids)
        path = f"/v1/me/entries/{entry_id}"
        if roll < 0.85:
            fields = _random_fields(self.rng)
            changes = {k: v for k, v in fields.items() if self.rng.random() < 0.5} or {"note": "x"}
            answer = await self.client.patch(path, json=changes, headers=self.who.headers)
            # 404: deleted by an earlier step (or a concurrent one) of this writer.
            assert answer.status_code in (200, 404), answer.text
        else:
            answer = await self.client.delete(path, headers=self.who.headers)
            assert answer.status_code == 204, answer.text


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_the_rollup_equals_the_entries_after_random_writes(
    client: httpx.AsyncClient, accounts: Accounts, seed: int
) -> None:
    rng = random.Random(seed)
    writers = [Writer(client, await accounts.make(), rng) for _ in range(3)]
    for _ in range(60):
        await rng.choice(writers).step()
    rollup = await _rollup_matches_entries(accounts)

    assert len(rollup) >= 6  # several days of several participants were rolled up


async def test_the_rollup_equals_the_entries_under_concurrent_writers(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    """Batches of writes at once: the same participant's writes race each other (and their
    entries' days), other participants' writes run beside them."""
    rng = random.Random(7)
    writers = [Writer(client, await accounts.make(), rng) for _ in range(4)]
    for writer in writers:
        for _ in range(3):
            await writer.step()
    for _ in range(12):
        await asyncio.gather(*(rng.choice(writers).step() for _ in range(10)))
    await _rollup_matches_entries(accounts)


async def test_an_edit_that_moves_an_entry_recounts_both_days_and_a_day_emptied_has_no_row(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    first = entry_body(id=str(uuid.uuid4()), recorded_at="2026-11-20T08:00:00+00:00", mood=2)
    second = entry_body(id=str(uuid.uuid4()), recorded_at="2026-11-20T09:00:00+00:00", mood=9)
    for body in (first, second):
        assert (await client.post("/v1/me/entries", json=body, headers=sam.headers)).is_success

    moved = await client.patch(
        f"/v1/me/entries/{second['id']}",
        json={"recorded_at": "2026-11-21T09:00:00+00:00"},
        headers=sam.headers,
    )
    assert moved.status_code == 200
    days = await accounts.sql("SELECT local_date, entries, mood_min, mood_max FROM journal_days")
    assert sorted((str(d), n, low, high) for d, n, low, high in days) == [
        ("2026-11-20", 1, 2, 2),
        ("2026-11-21", 1, 9, 9),
    ]
    await client.delete(f"/v1/me/entries/{first['id']}", headers=sam.headers)
    days = await accounts.sql("SELECT local_date FROM journal_days")
    assert [str(day) for (day,) in days] == ["2026-11-21"]
    await _rollup_matches_entries(accounts)


async def test_erasure_leaves_no_rollup_row(client: httpx.AsyncClient, accounts: Accounts) -> None:
    sam, kim = await accounts.make(), await accounts.make()
    for who in (sam, kim):
        answer = await client.post("/v1/me/entries", json=entry_body(), headers=who.headers)
        assert answer.status_code == 201
    erased = await client.delete("/v1/me", headers=sam.headers)
    assert erased.status_code == 204, erased.text

    assert await accounts.count("journal_days") == 1  # Kim's day
    await _rollup_matches_entries(accounts)
