"""Erasure racing the participant's other devices leaves nothing behind and breaks no write.

The race itself: a real `journal serve` process (two on SQLite, where each holds one
connection; one with a pool of five on PostgreSQL) and real HTTP clients: eight writers
create, edit and delete entries with notes while one `DELETE /v1/me` runs beside them, over
several fresh participants. Marked `fault`: bounded in time like the rest of that suite.
Below it, quick checks of the fence each write meets, and of the migration that adds it.
"""

import asyncio
import random
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    String,
    Uuid,
    column,
    func,
    insert,
    select,
    table,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from app.auth.service import start_session
from app.db import UTCDateTime, utcnow
from app.journal.models import JournalCounter, JournalEntry
from app.migrations import alembic_config
from app.users.models import User
from tests.conftest import Account, Accounts
from tests.faults.load import ENTRIES, Database, Participant, entry_body, open_database
from tests.faults.server import Server

ROUNDS = 5
WRITERS = 8
SEEDED_ENTRIES = 12
# Writes acknowledged before the erasure is sent, so that it lands among writes in flight.
WRITES_BEFORE_ERASURE = 16
TEST_TIMEOUT_S = 150
# What a racing write may get: done, already gone, or the session erasure ended.
ACCEPTED = {200, 201, 204, 401, 404}


class Race:
    """One participant's devices: writers on their entries, then an erasure among them."""

    def __init__(self, participant: Participant, known: list[str]):
        self.participant = participant
        self.known = known  # ids of entries that were created, for edits and deletes
        self.bad: list[str] = []
        self.acked = 0
        self.busy = asyncio.Event()

    async def writer(self, client: httpx.AsyncClient, number: int) -> None:
        rng = random.Random(number)
        for step in range(400):  # bounded: an erasure that never lands fails the test
            kind = rng.choice(("create", "edit", "delete"))
            response = await self._write(client, kind, rng, number * 1000 + step)
            if response.status_code not in ACCEPTED:
                self.bad.append(f"{kind} {response.status_code} {response.text}")
            if response.is_success:
                self.acked += 1
                if self.acked >= WRITES_BEFORE_ERASURE:
                    self.busy.set()
            if response.status_code == 401:
                return  # the session is over: this device is done
        self.bad.append(f"writer {number} never saw the erasure")

    async def _write(
        self, client: httpx.AsyncClient, kind: str, rng: random.Random, sequence: int
    ) -> httpx.Response:
        headers = self.participant.headers
        if kind == "create" or not self.known:
            body = entry_body(uuid.uuid4(), sequence)
            self.known.append(body["id"])
            return await client.post(ENTRIES, json=body, headers=headers)
        url = f"{ENTRIES}/{rng.choice(self.known)}"
        if kind == "edit":
            return await client.patch(url, json={"note": f"edit {sequence}"}, headers=headers)
        return await client.delete(url, headers=headers)

    async def erase_when_busy(self, client: httpx.AsyncClient) -> httpx.Response:
        await self.busy.wait()
        return await client.delete("/v1/me", headers=self.participant.headers)


async def _seed(client: httpx.AsyncClient, participant: Participant) -> list[str]:
    ids = []
    for n in range(SEEDED_ENTRIES):
        body = entry_body(uuid.uuid4(), n)
        response = await client.post(ENTRIES, json=body, headers=participant.headers)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    return ids


async def _rows_left(db: Database, participant_id: uuid.UUID) -> tuple[int, int]:
    """(entries of the participant, of which with a note) still in the database."""
    statement = select(func.count(), func.count(JournalEntry.note)).where(
        JournalEntry.participant_id == participant_id
    )
    async with db.engine.connect() as connection:
        total, with_note = (await connection.execute(statement)).one()
    return int(total), int(with_note)


async def _counter_erased(db: Database, participant_id: uuid.UUID) -> bool:
    statement = select(JournalCounter.erased_at).where(
        JournalCounter.participant_id == participant_id
    )
    async with db.engine.connect() as connection:
        return (await connection.execute(statement)).scalar_one_or_none() is not None


@pytest.mark.fault
async def test_erasure_racing_eight_writers_leaves_no_entry_and_no_500(
    fault_database_url: str, tmp_path: Path
) -> None:
    is_sqlite = fault_database_url.startswith("sqlite")
    servers = [
        Server(fault_database_url, tmp_path, db_pool_size="5", db_max_overflow="2")
        for _ in range(2 if is_sqlite else 1)
    ]
    try:
        async with asyncio.timeout(TEST_TIMEOUT_S), open_database(fault_database_url) as db:
            for server in servers:
                server.start()
            await asyncio.gather(*(server.wait_ready("/readyz") for server in servers))
            limits = httpx.Limits(max_connections=WRITERS + 2)
            clients = [
                httpx.AsyncClient(base_url=server.base_url, timeout=30, limits=limits)
                for server in servers
            ]
            left: list[tuple[int, int]] = []
            erasures: list[int] = []
            bad: list[str] = []
            counters_kept: list[bool] = []
            try:
                for _ in range(ROUNDS):
                    participant = await db.participant()
                    race = Race(participant, await _seed(clients[0], participant))
                    erasure, *_ = await asyncio.gather(
                        race.erase_when_busy(clients[0]),
                        *(race.writer(clients[n % len(clients)], n) for n in range(WRITERS)),
                    )
                    assert isinstance(erasure, httpx.Response)  # not a writer's None
                    erasures.append(erasure.status_code)
                    bad += race.bad
                    left.append(await _rows_left(db, participant.id))
                    counters_kept.append(await _counter_erased(db, participant.id))
            finally:
                for client in clients:
                    await client.aclose()
            assert bad == [], f"{len(bad)} bad answers, e.g. {bad[:3]}; erasures {erasures}"
            assert erasures == [204] * ROUNDS
            assert left == [(0, 0)] * ROUNDS, f"rows left (all, with notes) per round: {left}"
            assert counters_kept == [True] * ROUNDS  # the fence stays for late writers
            for server in servers:
                assert "Traceback" not in server.log_text(), server.log_tail()
    finally:
        for server in servers:
            server.stop()


async def _post(client: httpx.AsyncClient, who: Account, **fields: object) -> httpx.Response:
    body = {**entry_body(uuid.uuid4(), 1), **fields}
    return await client.post(ENTRIES, json=body, headers=who.headers)


async def test_a_write_that_passed_its_session_check_before_erasure_stores_nothing(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    """The moment of the race, held still: the erasure has committed its fence while this
    request's session was still live (as when its check ran just before)."""
    sam, alex = await accounts.make(), await accounts.make()
    mine = (await _post(client, sam)).json()
    theirs = (await _post(client, alex)).json()
    await accounts.execute(
        update(JournalCounter)
        .where(JournalCounter.participant_id == sam.id)
        .values(erased_at=utcnow())
    )
    url = f"{ENTRIES}/{mine['id']}"
    refused = [
        await _post(client, sam),
        await _post(client, sam, id=theirs["id"]),  # not mistaken for "id taken" (409)
        await client.patch(url, json={"note": "late"}, headers=sam.headers),
        await client.delete(url, headers=sam.headers),
    ]
    assert [r.status_code for r in refused] == [401] * 4
    assert {r.headers["content-type"] for r in refused} == {"application/problem+json"}
    statement = select(JournalEntry.note, JournalEntry.version).where(
        JournalEntry.participant_id == sam.id
    )
    assert await accounts.rows(statement) == [(mine["note"], 1)]
    assert await accounts.count("journal_entries") == 2
    edits = await accounts.sql("SELECT count(*) FROM audit_events WHERE action LIKE 'journal.%'")
    assert edits == [(0,)]


async def test_erasure_of_a_participant_who_never_wrote_leaves_the_fence(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    kim = await accounts.make()
    assert (await client.delete("/v1/me", headers=kim.headers)).status_code == 204
    rows = await accounts.sql("SELECT last_change_seq, erased_at FROM journal_counters")
    assert len(rows) == 1
    assert rows[0][0] == 0
    assert rows[0][1] is not None


async def _second_device(accounts: Accounts, who: Account) -> dict[str, str]:
    session: AsyncSession
    app = accounts.app
    async with app.state.sessionmaker() as session, session.begin():
        user = await session.get_one(User, who.id)
        pair = await start_session(session, app.state.settings, user, utcnow())
    return {"Authorization": f"Bearer {pair.access_token}"}


async def test_two_devices_erasing_at_once_erase_and_audit_once(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    await _post(client, sam)
    other_device = await _second_device(accounts, sam)
    both = await asyncio.gather(
        client.delete("/v1/me", headers=sam.headers),
        client.delete("/v1/me", headers=other_device),
    )
    # The second waits for the first: 204 (nothing left to do), or 401 when its session
    # check runs after the first has ended every session. Never a second erasure.
    assert sorted(r.status_code for r in both) in ([204, 204], [204, 401])
    erasures = await accounts.sql(
        "SELECT count(*) FROM audit_events WHERE action = 'account.erase'"
    )
    assert erasures == [(1,)]
    assert await accounts.count("journal_entries") == 0


BEFORE_FENCE, FENCE = "ba6f3dacb3f1", "c0a1e2a5e001"
# The tables as the revision before the fence left them (the models may have moved on).
OLD_USERS = table(
    "users",
    *(column(name, String()) for name in ("email", "role", "display_name", "timezone")),
    column("id", Uuid()),
    column("is_active", Boolean()),
    *(column(name, UTCDateTime()) for name in ("created_at", "updated_at", "erased_at")),
)
OLD_COUNTERS = table(
    "journal_counters", column("participant_id", Uuid()), column("last_change_seq", BigInteger())
)
OLD_ENTRIES = table(
    "journal_entries",
    *(column(name, Uuid()) for name in ("id", "participant_id")),
    *(column(name, BigInteger()) for name in ("mood", "focus", "anxiety", "version", "change_seq")),
    *(column(name, String()) for name in ("note", "tags")),
    *(column(name, UTCDateTime()) for name in ("recorded_at", "created_at", "updated_at")),
    column("local_date", Date()),
)


async def _seed_before_fence(
    url: str, erased: uuid.UUID, active: uuid.UUID, gone: uuid.UUID
) -> None:
    """`erased`: an erasure that a racing write undid (an entry left, a counter re-created);
    `active`: a participant with an entry; `gone`: erased cleanly (no counter row)."""
    now = datetime.now(UTC)
    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            for user_id in (erased, active, gone):
                erased_at = None if user_id == active else now
                await connection.execute(
                    insert(OLD_USERS).values(
                        id=user_id,
                        email=f"{user_id.hex}@example.org",
                        role="participant",
                        display_name="P",
                        timezone="UTC",
                        is_active=erased_at is None,
                        created_at=now,
                        updated_at=now,
                        erased_at=erased_at,
                    )
                )
            for user_id in (erased, active):
                await connection.execute(
                    insert(OLD_COUNTERS).values(participant_id=user_id, last_change_seq=1)
                )
                await connection.execute(
                    insert(OLD_ENTRIES).values(
                        id=uuid.uuid4(),
                        participant_id=user_id,
                        **dict.fromkeys(("mood", "focus", "anxiety", "version", "change_seq"), 1),
                        note="left behind",
                        tags="",
                        recorded_at=now,
                        created_at=now,
                        updated_at=now,
                        local_date=date(2026, 11, 20),
                    )
                )
    finally:
        await engine.dispose()


async def _journal_state(url: str, fenced: bool) -> tuple[list[uuid.UUID], dict[uuid.UUID, object]]:
    """Whose entries are stored, and each counter row: (last number, erased?) with the fence
    column, the last number without it."""
    engine = create_async_engine(url, poolclass=NullPool)
    columns: list[ColumnElement[Any]] = [
        OLD_COUNTERS.c.participant_id,
        OLD_COUNTERS.c.last_change_seq,
    ]
    if fenced:
        columns.append(column("erased_at", UTCDateTime()).is_not(None))
    try:
        async with engine.connect() as connection:
            owners = (await connection.execute(select(OLD_ENTRIES.c.participant_id))).scalars()
            counters = await connection.execute(select(*columns).select_from(OLD_COUNTERS))
            return sorted(owners), {
                row[0]: tuple(row[1:]) if fenced else row[1] for row in counters
            }
    finally:
        await engine.dispose()


def test_fence_migration_finishes_undone_erasures_and_is_reversible(unmigrated_url: str) -> None:
    config = alembic_config(unmigrated_url)
    command.upgrade(config, BEFORE_FENCE)
    erased, active, gone = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    asyncio.run(_seed_before_fence(unmigrated_url, erased, active, gone))

    command.upgrade(config, FENCE)
    owners, counters = asyncio.run(_journal_state(unmigrated_url, fenced=True))
    assert owners == [active]  # the note left behind by the race is gone
    assert counters == {active: (1, False), erased: (1, True), gone: (0, True)}

    command.downgrade(config, BEFORE_FENCE)
    owners, counters = asyncio.run(_journal_state(unmigrated_url, fenced=False))
    assert (owners, counters) == ([active], {active: 1})
    command.upgrade(config, FENCE)
