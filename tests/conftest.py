"""Test fixtures: a real migrated database (SQLite file, or PostgreSQL when
JOURNAL_TEST_DATABASE_URL is set), the app over HTTP, and small account factories."""

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.passwords import hash_password
from app.auth.service import start_session
from app.config import Settings
from app.db import utcnow
from app.main import create_app
from app.migrations import upgrade_to_head
from app.models import Base
from app.users.models import Role
from app.users.service import create_user

TEST_PASSWORD = "lantern meadow copper whistle 42"
SECRET_KEY = "test-secret-key-that-is-long-enough-for-hs256-0123456789"


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
    return Settings(database_url=database_url, secret_key=SecretStr(SECRET_KEY), db_pool_size=10)


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


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        await _empty_database(application)
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


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
                password_hash=self.password_hash,
            )
            access, refresh = "", ""
            if signed_in:
                pair = await start_session(session, self.app.state.settings, user, utcnow())
                access, refresh = pair.access_token, pair.refresh_token
        return Account(user.id, email, role, access, refresh)

    async def sql(self, statement: str, **params: object) -> list[tuple[object, ...]]:
        async with self.app.state.engine.begin() as connection:
            result = await connection.execute(text(statement), params)
            return [tuple(row) for row in result] if result.returns_rows else []


@pytest.fixture
def accounts(app: FastAPI, password_hash: str) -> Accounts:
    return Accounts(app, password_hash)
