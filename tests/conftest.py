"""Test fixtures: a real migrated database (SQLite file, or PostgreSQL when
JOURNAL_TEST_DATABASE_URL is set), the app over HTTP, and small account factories."""

import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import Executable, insert, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.alerts.defaults import DEFAULT_RULES
from app.alerts.rule_store import CLINIC_RULES, rule_columns
from app.auth.models import LoginFailure
from app.auth.passwords import hash_password
from app.auth.service import issue_activation_code, start_session
from app.auth.throttle import email_key
from app.config import Settings
from app.db import utcnow
from app.main import create_app
from app.middleware import PARAMETER_ECHOING_LOGGERS, JsonLogFormatter, configure_logging
from app.migrations import upgrade_to_head
from app.models import Base
from app.users.models import Role, User
from app.users.service import create_user
from tests.one_door import TEST_SETUP, DoorGuard

pytest_plugins = ["tests.faults.fixtures"]

TEST_PASSWORD = "lantern meadow copper whistle 42"
SECRET_KEY = "test-secret-key-that-is-long-enough-for-hs256-0123456789"


def pytest_runtest_setup(item: pytest.Item) -> None:
    """`@pytest.mark.postgres_only("why")`: skipped, with its reason, unless the suite runs
    on PostgreSQL."""
    marker = item.get_closest_marker("postgres_only")
    url = os.environ.get("JOURNAL_TEST_DATABASE_URL", "")
    if marker is not None and not url.startswith("postgresql"):
        reason = marker.args[0] if marker.args else "needs PostgreSQL"
        pytest.skip(f"{reason} (set JOURNAL_TEST_DATABASE_URL to a PostgreSQL database)")


def pytest_report_header() -> str:
    url = os.environ.get("JOURNAL_TEST_DATABASE_URL")
    return f"database: {'PostgreSQL ' + url if url else 'SQLite (temporary file)'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("JOURNAL_TEST_DATABASE_URL")
    if not url:
        path: Path = tmp_path_factory.mktemp("db") / "journal-test.db"
        url = f"sqlite+aiosqlite:///{path}"
    upgrade_to_head(url)
    return url


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture
def settings(database_url: str) -> Settings:
    # No in-process sweeper: the tests run passes themselves (tests/test_sweeper.py).
    return Settings(
        database_url=database_url,
        secret_key=SecretStr(SECRET_KEY),
        db_pool_size=10,
        sweep_interval_seconds=0,
    )


@pytest.fixture(scope="session")
def password_hash() -> Iterator[str]:
    import asyncio

    yield asyncio.run(hash_password(TEST_PASSWORD))


async def _empty_database(app: FastAPI) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    async with app.state.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608
        # What a fresh database holds besides: the clinic's default alert rules.
        defaults = [rule_columns(rule, n) for n, rule in enumerate(DEFAULT_RULES.rules)]
        await connection.execute(insert(CLINIC_RULES), defaults)


@asynccontextmanager
async def guarded(application: FastAPI) -> AsyncIterator[FastAPI]:
    """The app started, on an emptied database, with its statements checked by the
    one-door guard (tests/one_door.py): an unscoped statement fails the test."""
    async with application.router.lifespan_context(application):
        guard = DoorGuard()
        application.state.door_guard = guard
        guard.attach(application.state.engine)
        await _empty_database(application)
        yield application
        guard.detach(application.state.engine)
    assert guard.violations == [], "participant data reached without a scope"


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    async with guarded(create_app(settings)) as application:
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD
) -> httpx.Response:
    """POST the OAuth2 password form, as the docs' Authorize button does."""
    return await client.post("/v1/auth/token", data={"username": email, "password": password})


@dataclass
class Account:
    id: uuid.UUID
    email: str
    role: Role
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


@dataclass
class Accounts:
    """Makes accounts straight in the database, signed in without spending Argon2 time."""

    app: FastAPI
    password_hash: str

    async def make(
        self,
        role: Role = Role.participant,
        *,
        email: str | None = None,
        display_name: str | None = None,
        timezone: str = "UTC",
        signed_in: bool = True,
        activated: bool = True,
    ) -> Account:
        email = email or f"{role.value}-{uuid.uuid4().hex[:10]}@example.org"
        session: AsyncSession
        async with self.app.state.sessionmaker() as session, session.begin():
            user = await create_user(
                session,
                email=email,
                role=role,
                display_name=display_name or email.split("@")[0],
                timezone=timezone,
                password_hash=self.password_hash if activated else None,
            )
            access, refresh = "", ""
            if signed_in:
                pair = await start_session(session, self.app.state.settings, user, utcnow())
                access, refresh = pair.access_token, pair.refresh_token
        return Account(user.id, email, role, access, refresh)

    async def sql(self, statement: str, **params: object) -> list[tuple[object, ...]]:
        async with self.app.state.engine.begin() as connection:
            await connection.execution_options(**{TEST_SETUP: True})
            result = await connection.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []

    async def rows(self, statement: Executable) -> list[tuple[Any, ...]]:
        """The rows of a SQLAlchemy Core query, read as test inspection (not by the app)."""
        async with self.app.state.engine.connect() as connection:
            await connection.execution_options(**{TEST_SETUP: True})
            return [tuple(row) for row in await connection.execute(statement)]

    async def execute(self, statement: Executable, params: Any = None) -> None:
        """Run a SQLAlchemy Core statement (typed binds work on SQLite and PostgreSQL alike)."""
        async with self.app.state.engine.begin() as connection:
            await connection.execution_options(**{TEST_SETUP: True})
            await connection.execute(statement, params)

    async def record_login_failures(
        self, email: str, count: int, *, minutes_ago: float = 1, address: str = "192.0.2.1"
    ) -> None:
        """Failed sign-ins of `email`, as if they had happened `minutes_ago`."""
        failed_at = utcnow() - timedelta(minutes=minutes_ago)
        rows = [
            {"email_hash": email_key(email), "client_address": address, "failed_at": failed_at}
            for _ in range(count)
        ]
        await self.execute(insert(LoginFailure), rows)

    async def issue_activation_code(self, user_id: uuid.UUID) -> str:
        """A fresh one-time activation code for the account, as an admin would hand it over."""
        session: AsyncSession
        async with self.app.state.sessionmaker() as session, session.begin():
            user = await session.get_one(User, user_id)
            issued = await issue_activation_code(session, self.app.state.settings, user)
        return issued.code

    async def count(self, table: str) -> int:
        """Rows in `table` (a fixed name from the test, never user input)."""
        rows = await self.sql(f"SELECT count(*) FROM {table}")  # noqa: S608
        return int(str(rows[0][0]))

    async def audit_actions(self) -> list[tuple[str, str]]:
        """(action, outcome) of every audit event, oldest first."""
        rows = await self.sql("SELECT action, outcome FROM audit_events ORDER BY id")
        return [(str(action), str(outcome)) for action, outcome in rows]


@pytest.fixture
def accounts(app: FastAPI, password_hash: str) -> Accounts:
    return Accounts(app, password_hash)


@dataclass
class ServedApp:
    """An app built from custom settings, with its client and account factory."""

    app: FastAPI
    client: httpx.AsyncClient
    accounts: Accounts


ServeApp = Callable[..., AbstractAsyncContextManager[ServedApp]]


@pytest.fixture
def serve_app(settings: Settings, password_hash: str) -> ServeApp:
    """`async with serve_app(login_max_failures_per_address=3) as served:` runs a second app
    on the test database with some settings changed (the database is emptied first)."""

    @asynccontextmanager
    async def serve(**overrides: Any) -> AsyncIterator[ServedApp]:
        application = create_app(settings.model_copy(update=overrides))
        async with guarded(application):
            transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                yield ServedApp(application, c, Accounts(application, password_hash))

    return serve


@pytest.fixture
def emitted_logs(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], str]]:
    """Logging set up as `journal serve` does, at DEBUG (the most talkative level).

    Returns a function giving every line the JSON formatter has written so far."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name in PARAMETER_ECHOING_LOGGERS}
    configure_logging("DEBUG")
    root.addHandler(caplog.handler)
    formatter = JsonLogFormatter()
    try:
        yield lambda: "\n".join(formatter.format(record) for record in caplog.records)
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)
