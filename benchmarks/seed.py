"""Benchmark data, written straight into the database (never through the API).

The schema comes from the real migrations (`app.migrations.upgrade_to_head`). Rows are
generated in Python from a fixed random seed and written with binary `COPY` on PostgreSQL
(asyncpg) or batched `executemany` through SQLAlchemy Core on SQLite (so that the column
types store values exactly as the app does).

Accounts that the benchmark signs in as get an `auth_sessions` row here; their access
tokens are minted later, per phase, with `app.auth.tokens.create_access_token` and the
fixed secret key passed to the server processes.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from pydantic import SecretStr
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url

from app.auth.passwords import hash_password
from app.auth.tokens import create_access_token
from app.config import Settings
from app.migrations import upgrade_to_head
from app.models import Base

SECRET_KEY = "benchmark-secret-key-not-for-production-0123456789abcdef"
LOGIN_PASSWORD = "lantern meadow copper whistle 42"
EMAIL_DOMAIN = "bench.example.org"

ENTRY_COLUMNS = (
    "id",
    "participant_id",
    "recorded_at",
    "utc_offset_minutes",
    "local_date",
    "mood",
    "focus",
    "anxiety",
    "creativity",
    "connection",
    "note",
    "tags",
    "version",
    "change_seq",
    "created_at",
    "updated_at",
    "deleted_at",
)
USER_COLUMNS = (
    "id",
    "email",
    "role",
    "display_name",
    "timezone",
    "is_active",
    "password_hash",
    "created_at",
    "updated_at",
    "erased_at",
)
SESSION_COLUMNS = (
    "id",
    "user_id",
    "created_at",
    "refreshed_at",
    "idle_expires_at",
    "absolute_expires_at",
    "revoked_at",
)
ASSIGNMENT_COLUMNS = (
    "id",
    "participant_id",
    "clinician_id",
    "started_at",
    "ended_at",
    "assigned_by",
    "ended_by",
)
COUNTER_COLUMNS = ("participant_id", "last_change_seq")
REVIEW_COLUMNS = (
    "participant_id",
    "clinician_id",
    "reviewed_through",
    "reviewed_change_seq",
    "updated_at",
)

NOTES = (
    "Slept well; a long walk at lunch.",
    "Busy day at work, felt scattered in the afternoon but calmer after dinner.",
    "Met friends for coffee. Good conversation, a little tired now.",
    "Restless night. Hard to get going this morning.",
    "Quiet day, read for an hour and cooked something new.",
    "Felt focused during the morning session; energy dipped around four.",
)
TAGS = ("walk", "good-sleep", "work", "friends", "tired", "exercise", "reading", "travel")
# (IANA zone, the fixed UTC offset its entries are sent with, in minutes)
ZONES = (("Europe/Berlin", 60), ("UTC", 0), ("America/New_York", -300), ("Asia/Tokyo", 540))


@dataclass(frozen=True)
class Scale:
    """How much data each database gets."""

    list_entries: int = 1_000  # the participant whose list is measured
    bulk_participants: int = 999  # others, each with `bulk_entries`
    bulk_entries: int = 1_000
    clinician_participants: int = 200
    clinician_days: int = 365
    export_entries: int = 100_000
    writers: int = 64  # participants the real service's POSTs rotate over
    baseline_writers: int = 64  # the same for the bare baseline app
    with_clinic: bool = True  # clinician, export participant, writers, login account


@dataclass
class Account:
    user_id: str
    session_id: str | None = None


@dataclass
class Fixture:
    """What a seeded database holds, for the load generators. Saved next to the run."""

    name: str
    url: str
    total_entries: int = 0
    seconds: float = 0.0
    list_participant: Account | None = None
    export_participant: Account | None = None
    clinician: Account | None = None
    clinician_participant: str | None = None  # one of the clinician's participants
    writers: list[Account] = field(default_factory=list)
    baseline_writers: list[str] = field(default_factory=list)
    login_email: str | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, raw: str) -> Fixture:
        data: dict[str, Any] = json.loads(raw)
        for key in ("list_participant", "export_participant", "clinician"):
            if data.get(key) is not None:
                data[key] = Account(**data[key])
        data["writers"] = [Account(**item) for item in data.get("writers", [])]
        return cls(**data)


def bench_settings(url: str) -> Settings:
    """Settings with the fixed benchmark secret, as the server processes get them."""
    return Settings(database_url=url, secret_key=SecretStr(SECRET_KEY), access_token_minutes=60)


def mint_token(url: str, account: Account) -> str:
    assert account.session_id is not None
    return create_access_token(
        bench_settings(url),
        uuid.UUID(account.user_id),
        uuid.UUID(account.session_id),
        datetime.now(UTC),
    )


# --- row generation -------------------------------------------------------------------------


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def entry_rows(
    rng: random.Random,
    participant_id: uuid.UUID,
    count: int,
    end: datetime,
    step: timedelta,
    offset_minutes: int,
) -> Iterator[tuple[Any, ...]]:
    """`count` live entries, one every `step`, the newest just before `end`; change_seq 1..n."""
    offset = timedelta(minutes=offset_minutes)
    jitter = int(min(step.total_seconds() / 4, 3600))
    start = end - step * (count - 1)
    for seq in range(1, count + 1):
        recorded = start + step * (seq - 1) - timedelta(seconds=rng.randrange(jitter + 1))
        created = recorded + timedelta(seconds=rng.randrange(1, 600))
        has_optional = rng.random() < 0.7
        yield (
            _uuid(rng),
            participant_id,
            recorded,
            offset_minutes,
            (recorded + offset).date(),
            rng.randrange(11),
            rng.randrange(11),
            rng.randrange(11),
            rng.randrange(11) if has_optional else None,
            rng.randrange(11) if has_optional else None,
            NOTES[rng.randrange(len(NOTES))] if rng.random() < 0.4 else None,
            "," + ",".join(rng.sample(TAGS, rng.randrange(1, 4))) + ","
            if rng.random() < 0.5
            else "",
            1,
            seq,
            created,
            created,
            None,
        )


def user_row(
    user_id: uuid.UUID,
    email: str,
    role: str,
    display_name: str,
    timezone: str,
    now: datetime,
    password_hash: str | None = None,
) -> tuple[Any, ...]:
    return (user_id, email, role, display_name, timezone, True, password_hash, now, now, None)


def session_row(session_id: uuid.UUID, user_id: uuid.UUID, now: datetime) -> tuple[Any, ...]:
    later = now + timedelta(days=30)
    return (session_id, user_id, now, now, later, later, None)


# --- sinks ----------------------------------------------------------------------------------


class Sink:
    """Bulk writes of tuples into a table."""

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        raise NotImplementedError

    def finish(self) -> None:
        raise NotImplementedError


class PostgresSink(Sink):
    """Binary COPY through asyncpg: the fastest way in, about 100k rows/s here."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection: Any = self.loop.run_until_complete(asyncpg.connect(dsn))

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        counted = _Counted(rows)
        self.loop.run_until_complete(
            self.connection.copy_records_to_table(table, records=counted, columns=list(columns))
        )
        return counted.count

    def finish(self) -> None:
        # Planner statistics and the visibility map, as a database in steady state has them.
        self.loop.run_until_complete(self.connection.execute("VACUUM ANALYZE"))
        self.loop.run_until_complete(self.connection.close())
        self.loop.close()


class SQLiteSink(Sink):
    """Core `executemany` in batches, so the app's column types format the values."""

    BATCH = 20_000

    def __init__(self, url: str) -> None:
        sync_url = make_url(url).set(drivername="sqlite")
        self.engine: Engine = create_engine(sync_url)

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        statement = insert(Base.metadata.tables[table])
        total = 0
        batch: list[dict[str, Any]] = []
        with self.engine.begin() as connection:
            for row in rows:
                batch.append(dict(zip(columns, row, strict=True)))
                if len(batch) >= self.BATCH:
                    connection.execute(statement, batch)
                    total += len(batch)
                    batch = []
            if batch:
                connection.execute(statement, batch)
                total += len(batch)
        return total

    def finish(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        self.engine.dispose()


class _Counted:
    def __init__(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for row in self.rows:
            self.count += 1
            yield row


# --- databases ------------------------------------------------------------------------------


def postgres_admin_dsn(url: str) -> str:
    return (
        make_url(url)
        .set(drivername="postgresql", database="postgres")
        .render_as_string(hide_password=False)
    )


def create_database(url: str) -> None:
    """A fresh, empty database (dropped first if it exists), then the schema at head."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        name = parsed.database
        assert name and name.replace("_", "").isalnum(), name

        async def recreate() -> None:
            connection = await asyncpg.connect(postgres_admin_dsn(url))
            try:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                await connection.execute(f'CREATE DATABASE "{name}"')
            finally:
                await connection.close()

        asyncio.run(recreate())
    else:
        path = Path(str(parsed.database))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade_to_head(url)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":

        async def drop() -> None:
            connection = await asyncpg.connect(postgres_admin_dsn(url))
            try:
                await connection.execute(
                    f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'
                )
            finally:
                await connection.close()

        asyncio.run(drop())
    else:
        path = Path(str(parsed.database))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def seed(name: str, url: str, scale: Scale, *, log: Any = print) -> Fixture:
    """Create the database `url` and fill it; returns what the load generators need."""
    started = time.perf_counter()
    create_database(url)
    sink: Sink = PostgresSink(url) if url.startswith("postgresql") else SQLiteSink(url)
    rng = random.Random(20261125)
    now = datetime.now(UTC).replace(microsecond=0)
    end = now - timedelta(hours=1)
    day = timedelta(days=1)
    fixture = Fixture(name=name, url=url)
    users: list[tuple[Any, ...]] = []
    sessions: list[tuple[Any, ...]] = []
    counters: list[tuple[Any, ...]] = []
    plans: list[tuple[uuid.UUID, int, timedelta, int]] = []  # participant, count, step, offset

    def participant(label: str, zone: tuple[str, int], signed_in: bool) -> Account:
        user_id = _uuid(rng)
        users.append(
            user_row(user_id, f"{label}@{EMAIL_DOMAIN}", "participant", label, zone[0], now)
        )
        account = Account(str(user_id))
        if signed_in:
            session_id = _uuid(rng)
            sessions.append(session_row(session_id, user_id, now))
            account.session_id = str(session_id)
        return account

    listed = participant("list-participant", ZONES[0], True)
    fixture.list_participant = listed
    plans.append((uuid.UUID(listed.user_id), scale.list_entries, day, ZONES[0][1]))
    for index in range(scale.bulk_participants):
        zone = ZONES[index % len(ZONES)]
        bulk = participant(f"bulk-{index:05d}", zone, False)
        plans.append((uuid.UUID(bulk.user_id), scale.bulk_entries, day, zone[1]))

    clinician_ids: list[uuid.UUID] = []
    clinician_id: uuid.UUID | None = None
    if scale.with_clinic:
        clinician_id = _uuid(rng)
        users.append(
            user_row(
                clinician_id, f"clinician@{EMAIL_DOMAIN}", "clinician", "Dr. Bench", "UTC", now
            )
        )
        clinician_session = _uuid(rng)
        sessions.append(session_row(clinician_session, clinician_id, now))
        fixture.clinician = Account(str(clinician_id), str(clinician_session))
        for index in range(scale.clinician_participants):
            zone = ZONES[index % len(ZONES)]
            cared = participant(f"Participant {index:03d}", zone, False)
            clinician_ids.append(uuid.UUID(cared.user_id))
            plans.append((uuid.UUID(cared.user_id), scale.clinician_days, day, zone[1]))
        fixture.clinician_participant = str(clinician_ids[0]) if clinician_ids else None
        exported = participant("export-participant", ZONES[0], True)
        fixture.export_participant = exported
        step = timedelta(minutes=15)
        plans.append((uuid.UUID(exported.user_id), scale.export_entries, step, ZONES[0][1]))
        fixture.writers = [
            participant(f"writer-{index:03d}", ZONES[index % len(ZONES)], True)
            for index in range(scale.writers)
        ]
        fixture.baseline_writers = [
            participant(f"baseline-writer-{index:03d}", ZONES[0], False).user_id
            for index in range(scale.baseline_writers)
        ]
        login_id = _uuid(rng)
        fixture.login_email = f"login-user@{EMAIL_DOMAIN}"
        password_hash = asyncio.run(hash_password(LOGIN_PASSWORD))
        users.append(
            user_row(
                login_id, fixture.login_email, "participant", "Login", "UTC", now, password_hash
            )
        )

    sink.write("users", USER_COLUMNS, users)
    sink.write("auth_sessions", SESSION_COLUMNS, sessions)

    def all_entries() -> Iterator[tuple[Any, ...]]:
        for participant_id, count, step, offset in plans:
            counters.append((participant_id, count))
            yield from entry_rows(rng, participant_id, count, end, step, offset)

    fixture.total_entries = sink.write("journal_entries", ENTRY_COLUMNS, all_entries())
    sink.write("journal_counters", COUNTER_COLUMNS, counters)
    if clinician_id is not None:
        started_at = now - timedelta(days=400)
        sink.write(
            "care_assignments",
            ASSIGNMENT_COLUMNS,
            (
                (_uuid(rng), pid, clinician_id, started_at, None, None, None)
                for pid in clinician_ids
            ),
        )
        reviewed = now - timedelta(days=10)
        # Daily entries numbered 1..n in time order: the mark covers all but the last 10 days.
        entry_counts = {participant_id: count for participant_id, count, _, _ in plans}
        sink.write(
            "review_marks",
            REVIEW_COLUMNS,
            (
                (pid, clinician_id, reviewed, max(0, entry_counts[pid] - 10), now)
                for pid in clinician_ids[::2]
            ),
        )
    sink.finish()
    fixture.seconds = round(time.perf_counter() - started, 1)
    log(f"  seeded {name}: {fixture.total_entries:,} entries in {fixture.seconds:.0f} s")
    return fixture
