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
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from pydantic import SecretStr
from sqlalchemy import create_engine, insert, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from app.alerts.defaults import DEFAULT_RULES
from app.alerts.rules import AlertRule
from app.auth.models import AuthSession
from app.auth.passwords import hash_password
from app.auth.tokens import create_access_token
from app.config import Settings
from app.journal.models import RATING_COLUMNS
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
ALERT_COLUMNS = (
    "id",
    "participant_id",
    "rule_key",
    "kind",
    "severity",
    "status",
    "summary",
    "evidence",
    "trigger_id",
    "raised_at",
    "acknowledge_by",
    "acknowledged_at",
    "acknowledged_by",
    "escalated_at",
    "resolved_at",
    "resolved_by",
    "resolution_note",
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
    # Writers with a daily history, so that the entry rules (rating threshold over the last
    # days, 7-day mean against the 28 days before) read real rows on every POST.
    rule_writers: int = 500
    rule_writer_days: int = 60
    # A second clinician with the same caseload shape (200 x 365 days) whose participants
    # have open, acknowledged and resolved alerts: the overview with alerts present (P4a).
    alerts_clinician: bool = True
    with_clinic: bool = True  # clinicians, admin, export participant, writers, login account


@dataclass(frozen=True)
class SweepScale:
    """The sweeper's database: only participants, each of whom logged today (local), with a
    daily history and alerts none of which is due; nothing for a sweeper pass to do."""

    participants: int = 10_000
    days: int = 60


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
    admin: Account | None = None  # sets the clinic's alert rules (the rules phase)
    rule_writers: list[Account] = field(default_factory=list)  # writers with a history
    alerts_clinician: Account | None = None  # the overview with alerts (P4a)
    alerts_clinician_participant: str | None = None
    alerts: dict[str, int] = field(default_factory=dict)  # seeded alerts by status/severity
    sweep_participants: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, raw: str) -> Fixture:
        data: dict[str, Any] = json.loads(raw)
        for key in ("list_participant", "export_participant", "clinician", "admin"):
            if data.get(key) is not None:
                data[key] = Account(**data[key])
        if data.get("alerts_clinician") is not None:
            data["alerts_clinician"] = Account(**data["alerts_clinician"])
        for key in ("writers", "rule_writers"):
            data[key] = [Account(**item) for item in data.get(key, [])]
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
    jitter: timedelta | None = None,
) -> Iterator[tuple[Any, ...]]:
    """`count` live entries, one every `step`, the newest at most `jitter` (default: a
    quarter of the step, at most an hour) before `end`; change_seq 1..n."""
    offset = timedelta(minutes=offset_minutes)
    spread = jitter if jitter is not None else min(step / 4, timedelta(hours=1))
    jitter_s = int(spread.total_seconds())
    start = end - step * (count - 1)
    for seq in range(1, count + 1):
        recorded = start + step * (seq - 1) - timedelta(seconds=rng.randrange(jitter_s + 1))
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


def _alert_text(
    rng: random.Random, rule: AlertRule, raised: datetime
) -> tuple[str, dict[str, Any]]:
    """A summary and one evidence item as the service writes them for `rule`'s kind."""
    day = raised.date()
    if rule.kind == "rating_threshold":
        means = [round(rng.uniform(8, 10), 2) for _ in range(3)]
        shown = ", ".join(f"{mean:g}" for mean in means)
        days = [(day - timedelta(days=back)).isoformat() for back in (2, 1, 0)]
        return (
            f"Anxiety 8 or higher on each of 3 consecutive days: {shown}",
            {"days": [{"date": d, "mean": m} for d, m in zip(days, means, strict=True)]},
        )
    if rule.kind == "baseline_change":
        recent, prior = round(rng.uniform(1, 4), 2), round(rng.uniform(7, 9), 2)
        return (
            f"Mood 7-day mean {recent:g}, {prior - recent:.2f} below the mean of the 28 days "
            f"before ({prior:g})",
            {
                "until": day.isoformat(),
                "mean_7d": recent,
                "entries_7d": 7,
                "mean_prior_28d": prior,
                "entries_prior_28d": 28,
            },
        )
    if rule.kind == "missed_checkins":
        since = (day - timedelta(days=7)).isoformat()
        return f"No entry for 7 days: the last was on {since}", {"since": since}
    if rule.kind == "instrument_score":
        total = rng.randrange(20, 28)
        return (
            f"PHQ-9 total {total} (severe)",
            {"assessment_id": str(_uuid(rng)), "total": total},
        )
    if rule.kind == "instrument_flag":
        return (
            "PHQ-9 item 9 answered above 0 (self_harm_thoughts)",
            {"assessment_id": str(_uuid(rng)), "flag": "self_harm_thoughts"},
        )
    return "An experience of severity severe was reported", {"report_id": str(_uuid(rng))}


def alert_row(
    rng: random.Random,
    sink: Sink,
    participant_id: uuid.UUID,
    rule: AlertRule,
    status: str,
    raised: datetime,
    now: datetime,
    clinician_id: uuid.UUID | None,
) -> tuple[Any, ...]:
    """One alert of `rule` in `status`, raised at `raised`. An open alert past its deadline
    is escalated (as the sweeper leaves it); acknowledged and resolved ones were acknowledged
    within their window."""
    summary, evidence = _alert_text(rng, rule, raised)
    window = timedelta(minutes=rule.acknowledge_within_minutes)
    acknowledge_by = raised + window
    escalated_at: datetime | None = None
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
    if status == "open" and acknowledge_by <= now:
        escalated_at = acknowledge_by + timedelta(seconds=rng.randrange(1, 60))
    if status != "open":
        acknowledged_at = min(now, raised + window * rng.random())
    if status == "resolved":
        resolved_at = min(now, raised + window + timedelta(hours=rng.randrange(1, 72)))
    by = clinician_id if status != "open" else None
    return (
        _uuid(rng),
        participant_id,
        rule.key,
        rule.kind,
        rule.severity,
        status,
        summary,
        sink.json([evidence]),
        None,
        raised,
        acknowledge_by,
        acknowledged_at,
        by,
        escalated_at,
        resolved_at,
        by if status == "resolved" else None,
        "Talked it through at the next appointment." if status == "resolved" else None,
    )


def caseload_alerts(
    rng: random.Random,
    sink: Sink,
    participant_ids: Sequence[uuid.UUID],
    now: datetime,
    clinician_id: uuid.UUID,
    counts: dict[str, int],
) -> Iterator[tuple[Any, ...]]:
    """A clinician's caseload with alerts: for each participant and default rule, an
    unresolved alert (open or acknowledged; open ones past their deadline escalated) with
    probability 0.35, at least one per participant, and 0-2 resolved ones from the last year.
    At most one unresolved alert per participant and rule, as the unique index wants."""
    for participant_id in participant_ids:
        unresolved = [rule for rule in DEFAULT_RULES.rules if rng.random() < 0.35]
        if not unresolved:
            unresolved = [DEFAULT_RULES.rules[rng.randrange(len(DEFAULT_RULES.rules))]]
        for rule in unresolved:
            status = "open" if rng.random() < 0.5 else "acknowledged"
            window = timedelta(minutes=rule.acknowledge_within_minutes)
            raised = now - window * rng.uniform(0.05, 3)
            row = alert_row(rng, sink, participant_id, rule, status, raised, now, clinician_id)
            escalated = " escalated" if row[13] is not None else ""
            label = f"{status}{escalated} {rule.severity}"
            counts[label] = counts.get(label, 0) + 1
            yield row
        for rule in DEFAULT_RULES.rules:
            for _ in range(rng.choice((0, 0, 0, 1, 2))):
                raised = now - timedelta(days=rng.uniform(20, 365))
                counts["resolved"] = counts.get("resolved", 0) + 1
                yield alert_row(
                    rng, sink, participant_id, rule, "resolved", raised, now, clinician_id
                )


def quiet_alerts(
    rng: random.Random,
    sink: Sink,
    participant_ids: Sequence[uuid.UUID],
    now: datetime,
    counts: dict[str, int],
) -> Iterator[tuple[Any, ...]]:
    """Alerts that give a sweeper pass nothing to do: acknowledged ones, open ones whose
    deadline is at least 30 minutes away, and resolved ones (among them missed check-ins of
    past gaps, which the pass reads to raise a gap only once)."""
    rules = {rule.key: rule for rule in DEFAULT_RULES.rules}
    missed = next(rule for rule in DEFAULT_RULES.rules if rule.kind == "missed_checkins")
    for participant_id in participant_ids:
        draw = rng.random()
        if draw < 0.05:
            rule = rules["anxiety-high-3d"]
            raised = now - timedelta(hours=rng.uniform(1, 20))
            counts["acknowledged"] = counts.get("acknowledged", 0) + 1
            yield alert_row(rng, sink, participant_id, rule, "acknowledged", raised, now, None)
        elif draw < 0.07:
            rule = rules["mood-below-baseline"] if draw < 0.06 else rules["phq9-total-20"]
            window = timedelta(minutes=rule.acknowledge_within_minutes)
            raised = now - (window - timedelta(minutes=30)) * rng.random()
            counts["open, not due"] = counts.get("open, not due", 0) + 1
            yield alert_row(rng, sink, participant_id, rule, "open", raised, now, None)
        if rng.random() < 0.05:
            raised = now - timedelta(days=rng.uniform(20, 300))
            counts["resolved missed check-ins"] = counts.get("resolved missed check-ins", 0) + 1
            yield alert_row(rng, sink, participant_id, missed, "resolved", raised, now, None)


def roll_up_days(sink: Sink) -> None:
    """The per-day rollup of the entries written straight (the service keeps it on writes)."""
    figures = [(f"{d}_{f}", f"{f}({d})") for d in RATING_COLUMNS for f in ("count", "min", "max")]
    figures += [(f"{d}_sum", f"coalesce(sum({d}), 0)") for d in RATING_COLUMNS]
    columns = ", ".join(column for column, _ in figures)
    counted = ", ".join(expression for _, expression in figures)
    sink.execute(
        f"INSERT INTO journal_days (participant_id, local_date, entries, {columns}) "  # noqa: S608
        f"SELECT participant_id, local_date, count(*), {counted} FROM journal_entries "
        "WHERE deleted_at IS NULL GROUP BY participant_id, local_date"
    )


# --- sinks ----------------------------------------------------------------------------------


class Sink:
    """Bulk writes of tuples into a table."""

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> int:
        raise NotImplementedError

    def json(self, value: Any) -> Any:
        """`value` as this sink writes a JSON column."""
        return value

    def finish(self) -> None:
        raise NotImplementedError

    def execute(self, sql: str) -> None:
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

    def json(self, value: Any) -> Any:
        return json.dumps(value)  # asyncpg's codec for `json` takes the text

    def execute(self, sql: str) -> None:
        self.loop.run_until_complete(self.connection.execute(sql))

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

    def execute(self, sql: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(sql))

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


def fetch(url: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows of one query on the database `url` (either dialect)."""

    async def run() -> list[tuple[Any, ...]]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return [tuple(row) for row in await connection.execute(text(sql))]
        finally:
            await engine.dispose()

    return asyncio.run(run())


def reopen_session(url: str, account: Account) -> None:
    """Move the account's seeded session's idle deadline a day on: a console page slides it
    to 30 minutes from the page, so a later run would otherwise find it ended."""
    assert account.session_id is not None

    async def run() -> None:
        engine = create_async_engine(url)
        later = datetime.now(UTC) + timedelta(days=1)
        try:
            async with engine.begin() as connection:
                await connection.execute(
                    update(AuthSession)
                    .where(AuthSession.id == uuid.UUID(account.session_id))
                    .values(idle_expires_at=later, absolute_expires_at=later)
                )
        finally:
            await engine.dispose()

    asyncio.run(run())


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
    caseloads: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)  # clinician: participants
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
        caseloads[clinician_id] = clinician_ids
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
        admin_id, admin_session = _uuid(rng), _uuid(rng)
        users.append(user_row(admin_id, f"admin@{EMAIL_DOMAIN}", "admin", "Admin", "UTC", now))
        sessions.append(session_row(admin_session, admin_id, now))
        fixture.admin = Account(str(admin_id), str(admin_session))
        for index in range(scale.rule_writers):
            zone = ZONES[index % len(ZONES)]
            writer = participant(f"rule-writer-{index:03d}", zone, True)
            fixture.rule_writers.append(writer)
            plans.append((uuid.UUID(writer.user_id), scale.rule_writer_days, day, zone[1]))
        if scale.alerts_clinician:
            alerts_clinician_id, alerts_session = _uuid(rng), _uuid(rng)
            users.append(
                user_row(
                    alerts_clinician_id,
                    f"alerts-clinician@{EMAIL_DOMAIN}",
                    "clinician",
                    "Dr. Alerts",
                    "UTC",
                    now,
                )
            )
            sessions.append(session_row(alerts_session, alerts_clinician_id, now))
            fixture.alerts_clinician = Account(str(alerts_clinician_id), str(alerts_session))
            for index in range(scale.clinician_participants):
                zone = ZONES[index % len(ZONES)]
                cared = participant(f"Alerted participant {index:03d}", zone, False)
                caseloads[alerts_clinician_id].append(uuid.UUID(cared.user_id))
                plans.append((uuid.UUID(cared.user_id), scale.clinician_days, day, zone[1]))
            fixture.alerts_clinician_participant = str(caseloads[alerts_clinician_id][0])

    sink.write("users", USER_COLUMNS, users)
    sink.write("auth_sessions", SESSION_COLUMNS, sessions)

    def all_entries() -> Iterator[tuple[Any, ...]]:
        for participant_id, count, step, offset in plans:
            counters.append((participant_id, count))
            yield from entry_rows(rng, participant_id, count, end, step, offset)

    fixture.total_entries = sink.write("journal_entries", ENTRY_COLUMNS, all_entries())
    sink.write("journal_counters", COUNTER_COLUMNS, counters)
    roll_up_days(sink)
    started_at = now - timedelta(days=400)
    reviewed = now - timedelta(days=10)
    # Daily entries numbered 1..n in time order: the mark covers all but the last 10 days.
    entry_counts = {participant_id: count for participant_id, count, _, _ in plans}
    for owner, cared_for in caseloads.items():
        sink.write(
            "care_assignments",
            ASSIGNMENT_COLUMNS,
            ((_uuid(rng), pid, owner, started_at, None, None, None) for pid in cared_for),
        )
        sink.write(
            "review_marks",
            REVIEW_COLUMNS,
            ((pid, owner, reviewed, max(0, entry_counts[pid] - 10), now) for pid in cared_for[::2]),
        )
    if fixture.alerts_clinician is not None:
        owner = uuid.UUID(fixture.alerts_clinician.user_id)
        rows = caseload_alerts(rng, sink, caseloads[owner], now, owner, fixture.alerts)
        sink.write("alerts", ALERT_COLUMNS, rows)
    sink.finish()
    fixture.seconds = round(time.perf_counter() - started, 1)
    log(f"  seeded {name}: {fixture.total_entries:,} entries in {fixture.seconds:.0f} s")
    return fixture


def seed_sweep(name: str, url: str, scale: SweepScale, *, log: Any = print) -> Fixture:
    """The sweeper's database: `scale.participants` participants and nobody else, each with
    a daily entry on each of the last `scale.days` days, today's (in their own time zone)
    made within the last half hour, and alerts none of which is due (`quiet_alerts`)."""
    started = time.perf_counter()
    create_database(url)
    sink: Sink = PostgresSink(url) if url.startswith("postgresql") else SQLiteSink(url)
    rng = random.Random(20261207)
    now = datetime.now(UTC).replace(microsecond=0)
    opened = now - timedelta(days=400)
    fixture = Fixture(name=name, url=url, sweep_participants=scale.participants)
    plans: list[tuple[uuid.UUID, int]] = []
    users = []
    for index in range(scale.participants):
        zone, offset = ZONES[index % len(ZONES)]
        participant_id = _uuid(rng)
        label = f"sweep-{index:05d}"
        users.append(
            user_row(participant_id, f"{label}@{EMAIL_DOMAIN}", "participant", label, zone, opened)
        )
        plans.append((participant_id, offset))
    sink.write("users", USER_COLUMNS, users)

    def all_entries() -> Iterator[tuple[Any, ...]]:
        end, day, recent = now - timedelta(minutes=1), timedelta(days=1), timedelta(minutes=29)
        for participant_id, offset in plans:
            yield from entry_rows(rng, participant_id, scale.days, end, day, offset, recent)

    fixture.total_entries = sink.write("journal_entries", ENTRY_COLUMNS, all_entries())
    sink.write("journal_counters", COUNTER_COLUMNS, ((pid, scale.days) for pid, _ in plans))
    roll_up_days(sink)
    ids = [participant_id for participant_id, _ in plans]
    sink.write("alerts", ALERT_COLUMNS, quiet_alerts(rng, sink, ids, now, fixture.alerts))
    sink.finish()
    fixture.seconds = round(time.perf_counter() - started, 1)
    log(
        f"  seeded {name}: {scale.participants:,} participants, "
        f"{fixture.total_entries:,} entries, alerts {fixture.alerts} in {fixture.seconds:.0f} s"
    )
    return fixture
