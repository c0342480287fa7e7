"""Liveness and readiness probes, on the test database and on fresh SQLite files."""

import asyncio
import gc
import os
import sqlite3
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path

import anyio
import asyncpg  # asyncpg ships no type hints
import httpx
import pytest
from alembic.script import ScriptDirectory
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.main import create_app
from app.migrations import alembic_config, schema_heads
from app.users.models import Role
from tests.conftest import SECRET_KEY, ServeApp


@asynccontextmanager
async def client_on(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(Settings(database_url=database_url, secret_key=SecretStr(SECRET_KEY)))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def journal_migrate(database_url: str, cwd: Path) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOURNAL_")}
    env["JOURNAL_DATABASE_URL"] = database_url
    result = await anyio.run_process(
        [sys.executable, "-m", "app", "migrate"], env=env, cwd=cwd, check=False
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"latest migration" in result.stdout


async def aiosqlite_threads_finished() -> None:
    """aiosqlite stops the thread of a connection that failed to open without waiting for it;
    should the event loop close first, that thread fails to report back. Wait for it."""
    for _ in range(200):
        if not any("_connection_worker_thread" in t.name for t in threading.enumerate()):
            return
        await asyncio.sleep(0.01)


async def test_liveness_is_200_without_touching_the_database(tmp_path: Path) -> None:
    async with client_on(f"sqlite+aiosqlite:///{tmp_path}/missing-dir/x.db") as client:
        response = await client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_is_200_on_the_migrated_test_database(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_is_503_until_journal_migrate_has_run(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
    async with client_on(url) as client:
        before = await client.get("/readyz")

        assert before.status_code == 503
        assert before.headers["content-type"] == "application/problem+json"
        assert before.json()["status"] == 503
        assert "journal migrate" in before.json()["detail"]
        assert int(before.headers["retry-after"]) > 0
        assert (await client.get("/healthz")).status_code == 200

        await journal_migrate(url, tmp_path)

        after = await client.get("/readyz")
        assert after.status_code == 200
        assert after.json() == {"status": "ok"}


async def test_readiness_is_503_when_the_schema_is_behind(tmp_path: Path) -> None:
    path = tmp_path / "behind.db"
    url = f"sqlite+aiosqlite:///{path}"
    await journal_migrate(url, tmp_path)
    script = ScriptDirectory.from_config(alembic_config())
    (base,) = script.get_bases()
    assert base not in schema_heads()
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (base,))

    async with client_on(url) as client:
        response = await client.get("/readyz")

    assert response.status_code == 503
    assert "not at the latest migration" in response.json()["detail"]


async def test_readiness_is_503_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    async with client_on(f"sqlite+aiosqlite:///{tmp_path}/no-such-dir/x.db") as client:
        response = await client.get("/readyz")
        await aiosqlite_threads_finished()

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "Traceback" not in response.text


async def _terminate_backend(database_url: str, pid: int) -> None:
    url = make_url(database_url).set(drivername="postgresql")
    connection = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        await connection.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await connection.close()


@pytest.mark.postgres_only("SQLite has no server connection to lose")
@pytest.mark.parametrize(
    ("ping_after_idle_seconds", "statuses"),
    [
        pytest.param(0, [200, 200], id="idle-connection-pinged-and-replaced"),
        pytest.param(3600, [503, 200], id="not-pinged-one-503-then-reconnected"),
    ],
)
async def test_a_pooled_connection_that_died_while_idle(
    serve_app: ServeApp,
    database_url: str,
    is_postgres: bool,
    ping_after_idle_seconds: float,
    statuses: list[int],
) -> None:
    async with serve_app(
        db_pool_size=1, db_max_overflow=0, db_ping_after_idle_seconds=ping_after_idle_seconds
    ) as served:
        account = await served.accounts.make(Role.participant)
        # A serving process: its schema gate is open (its check would take the dead one).
        assert (await served.client.get("/v1/me", headers=account.headers)).status_code == 200
        async with served.app.state.engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await _terminate_backend(database_url, pid)
        await asyncio.sleep(0.2)

        seen = [
            (await served.client.get("/v1/me", headers=account.headers)).status_code
            for _ in statuses
        ]

    assert seen == statuses


async def test_objects_made_at_start_up_are_frozen_out_of_garbage_collection(
    tmp_path: Path,
) -> None:
    application = create_app(
        Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/gc.db", secret_key=SECRET_KEY)
    )
    gc.unfreeze()
    async with application.router.lifespan_context(application):
        assert gc.get_freeze_count() > 10_000
    assert gc.get_freeze_count() == 0
