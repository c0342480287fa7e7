"""Write load through real HTTP clients, and checks of what the database kept."""

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import distinct, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.service import start_session
from app.config import Settings
from app.db import create_engine, create_sessionmaker, utcnow
from app.journal.models import JournalCounter, JournalEntry
from app.users.models import Role
from app.users.service import create_user
from tests.conftest import SECRET_KEY

ENTRIES = "/v1/me/entries"


@dataclass
class Participant:
    id: uuid.UUID
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class Database:
    """The test's own connection to the database a server runs on."""

    def __init__(self, engine: AsyncEngine, settings: Settings):
        self.engine = engine
        self.settings = settings
        self.sessionmaker = create_sessionmaker(engine)

    async def participant(self, password_hash: str | None = None) -> Participant:
        """A participant signed in straight in the database, with the servers' secret key:
        the token stays valid across server restarts and across processes."""
        email = f"fault-{uuid.uuid4().hex[:12]}@example.org"
        session: AsyncSession
        async with self.sessionmaker() as session, session.begin():
            user = await create_user(
                session,
                email=email,
                role=Role.participant,
                display_name="Fault tester",
                timezone="UTC",
                password_hash=password_hash,
            )
            pair = await start_session(session, self.settings, user, utcnow())
        return Participant(user.id, email, pair.access_token)

    async def scalar(self, statement: str) -> Any:
        """One value from a fixed SQL text of the test."""
        async with self.engine.connect() as connection:
            return (await connection.execute(text(statement))).scalar_one()

    async def stored_ids(self, participant_ids: list[uuid.UUID]) -> Counter[uuid.UUID]:
        """How many rows each entry id has, across these participants."""
        statement = select(JournalEntry.id).where(JournalEntry.participant_id.in_(participant_ids))
        async with self.engine.connect() as connection:
            return Counter((await connection.execute(statement)).scalars())

    async def torn_participants(self, participant_ids: list[uuid.UUID]) -> list[uuid.UUID]:
        """Participants whose change counter differs from their number of entries, or whose
        change numbers repeat: a transaction torn by a kill or an outage would show here."""
        entries = (
            select(
                JournalEntry.participant_id,
                func.count().label("entries"),
                func.count(distinct(JournalEntry.change_seq)).label("changes"),
                func.max(JournalEntry.change_seq).label("top"),
            )
            .where(JournalEntry.participant_id.in_(participant_ids))
            .group_by(JournalEntry.participant_id)
        )
        counters = select(JournalCounter.participant_id, JournalCounter.last_change_seq).where(
            JournalCounter.participant_id.in_(participant_ids)
        )
        async with self.engine.connect() as connection:
            seen = {row.participant_id: row for row in await connection.execute(entries)}
            last = {row[0]: row[1] for row in await connection.execute(counters)}
        torn = []
        for participant_id in participant_ids:
            row = seen.get(participant_id)
            figures = (row.entries, row.changes, row.top) if row is not None else (0, 0, 0)
            if len({*figures, last.get(participant_id, 0)}) != 1:
                torn.append(participant_id)
        return torn

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"


@asynccontextmanager
async def open_database(database_url: str) -> AsyncIterator[Database]:
    # The observer pings every pooled connection: it must survive the restarts it watches.
    settings = Settings(
        database_url=database_url, secret_key=SecretStr(SECRET_KEY), db_ping_after_idle_seconds=0
    )
    engine = create_engine(settings)
    try:
        yield Database(engine, settings)
    finally:
        await engine.dispose()


def entry_body(entry_id: uuid.UUID, sequence: int) -> dict[str, Any]:
    recorded_at = datetime.now(UTC) - timedelta(minutes=sequence % 500)
    return {
        "id": str(entry_id),
        "recorded_at": recorded_at.isoformat(),
        "mood": sequence % 11,
        "focus": (sequence * 3) % 11,
        "anxiety": (sequence * 7) % 11,
        "note": f"fault test entry {sequence}",
        "tags": ["fault"],
    }


@dataclass
class Outcome:
    """Every write attempted, by whether the client saw it acknowledged."""

    acked: dict[uuid.UUID, tuple[Participant, dict[str, Any]]] = field(default_factory=dict)
    unacked: dict[uuid.UUID, tuple[Participant, dict[str, Any]]] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    transport_errors: Counter[str] = field(default_factory=Counter)
    bad_responses: list[str] = field(default_factory=list)

    def acked_since(self, mark: int) -> int:
        return len(self.acked) - mark


class WriteLoad:
    """`writers` clients posting entries with ids of their own until stopped."""

    def __init__(self, base_url: str, participants: list[Participant], writers: int):
        self.base_url = base_url
        self.participants = participants
        self.writers = writers
        self.outcome = Outcome()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._sequence = 0

    async def __aenter__(self) -> "WriteLoad":
        self._tasks = [asyncio.create_task(self._writer(n)) for n in range(self.writers)]
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._stop.set()
        await asyncio.gather(*self._tasks)

    async def wait_for_acks(self, count: int, within_s: float = 20.0) -> None:
        target = len(self.outcome.acked) + count
        deadline = time.monotonic() + within_s
        while len(self.outcome.acked) < target:
            assert time.monotonic() < deadline, f"no progress: {self.outcome.statuses}"
            await asyncio.sleep(0.01)

    async def _writer(self, number: int) -> None:
        participant = self.participants[number % len(self.participants)]
        pending: tuple[uuid.UUID, dict[str, Any]] | None = None
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10.0) as client:
            while not self._stop.is_set():
                if pending is None:
                    self._sequence += 1
                    entry_id = uuid.uuid4()
                    pending = entry_id, entry_body(entry_id, self._sequence)
                entry_id, body = pending
                try:
                    response = await client.post(ENTRIES, json=body, headers=participant.headers)
                except httpx.ConnectError:
                    # Nothing was sent (the server is down): try the same entry again shortly.
                    self.outcome.transport_errors["ConnectError"] += 1
                    await asyncio.sleep(0.05)
                    continue
                except httpx.TransportError as exc:
                    # Sent, and the answer was lost: stored or not, the client cannot tell.
                    self.outcome.unacked[entry_id] = (participant, body)
                    self.outcome.transport_errors[type(exc).__name__] += 1
                    pending = None
                    continue
                pending = None
                self.outcome.statuses[response.status_code] += 1
                if response.is_success:
                    self.outcome.acked[entry_id] = (participant, body)
                    continue
                self.outcome.unacked[entry_id] = (participant, body)
                if not _is_proper_unavailable(response):
                    self.outcome.bad_responses.append(f"{response.status_code} {response.text}")
                await asyncio.sleep(0.02)


def _is_proper_unavailable(response: httpx.Response) -> bool:
    """A 503 problem document that tells the client when to retry."""
    return (
        response.status_code == 503
        and response.headers.get("content-type") == "application/problem+json"
        and int(response.headers.get("retry-after", "0")) > 0
        and response.json().get("status") == 503
    )


async def retry_unacknowledged(base_url: str, outcome: Outcome) -> Counter[int]:
    """Send every unacknowledged entry again with its id, as an offline client would."""
    statuses: Counter[int] = Counter()
    semaphore = asyncio.Semaphore(8)
    async with httpx.AsyncClient(base_url=base_url, timeout=20.0) as client:

        async def resend(participant: Participant, body: dict[str, Any]) -> None:
            async with semaphore:
                response = await client.post(ENTRIES, json=body, headers=participant.headers)
                statuses[response.status_code] += 1

        await asyncio.gather(*(resend(p, body) for p, body in outcome.unacked.values()))
    return statuses


class ReadinessProbe:
    """Polls `/readyz` like a load balancer would, remembering every answer."""

    def __init__(self, base_url: str, interval: float = 0.1):
        self.base_url = base_url
        self.interval = interval
        self.statuses: list[int] = []
        self.bad_responses: list[str] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "ReadinessProbe":
        self._task = asyncio.create_task(self._poll())
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._stop.set()
        assert self._task is not None
        await self._task

    async def wait_for(self, status: int, within_s: float) -> None:
        mark = len(self.statuses)
        deadline = time.monotonic() + within_s
        while status not in self.statuses[mark:]:
            assert time.monotonic() < deadline, f"/readyz never {status}: {self.statuses[-5:]}"
            await asyncio.sleep(0.02)

    async def _poll(self) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10.0) as client:
            while not self._stop.is_set():
                response = await client.get("/readyz")
                self.statuses.append(response.status_code)
                if response.status_code != 200 and not _is_proper_unavailable(response):
                    self.bad_responses.append(f"{response.status_code} {response.text}")
                await asyncio.sleep(self.interval)


async def assert_every_write_kept_once(db: Database, base_url: str, outcome: Outcome) -> None:
    """Acknowledged entries exist exactly once; resending each unacknowledged one with its id
    stores it once (201) or finds it stored (200); no transaction is half there."""
    participant_ids = list({p.id for p, _ in [*outcome.acked.values(), *outcome.unacked.values()]})
    stored = await db.stored_ids(participant_ids)
    assert {entry_id: stored[entry_id] for entry_id in outcome.acked} == dict.fromkeys(
        outcome.acked, 1
    )
    assert set(stored) <= outcome.acked.keys() | outcome.unacked.keys()
    assert await db.torn_participants(participant_ids) == []
    already_stored = sum(1 for entry_id in outcome.unacked if entry_id in stored)

    retried = await retry_unacknowledged(base_url, outcome)

    assert retried == {
        status: count
        for status, count in ((200, already_stored), (201, len(outcome.unacked) - already_stored))
        if count
    }
    everything = outcome.acked.keys() | outcome.unacked.keys()
    assert await db.stored_ids(participant_ids) == dict.fromkeys(everything, 1)
    assert await db.torn_participants(participant_ids) == []
