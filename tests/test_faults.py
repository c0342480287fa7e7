"""Process-level faults: kill -9 under load, a PostgreSQL restart, several app processes.

Real `journal serve` processes on 127.0.0.1, real HTTP clients, real databases; each
test is bounded by a timeout. Those are marked `fault`: run only them with `pytest -m fault`,
or skip them with `pytest -m "not fault"`. Below them, quick checks of how database failures
are told apart from bugs.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import cast

import asyncpg  # asyncpg ships no type hints
import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import DBAPIError

from app.auth.tokens import create_access_token
from app.config import Settings
from app.db import utcnow
from app.errors import is_database_unavailable
from app.main import create_app
from app.migrations import upgrade_to_head
from tests.conftest import SECRET_KEY, TEST_PASSWORD
from tests.faults.load import (
    ENTRIES,
    ReadinessProbe,
    WriteLoad,
    assert_every_write_kept_once,
    entry_body,
    open_database,
)
from tests.faults.postgres import TemporaryCluster, cluster_unavailable_reason, scratch_database
from tests.faults.server import Server, journal_migrate

KILLS = 4
WRITERS = 8
TEST_TIMEOUT_S = 120


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/parallel.db"
    upgrade_to_head(url)
    return url


@pytest.fixture
def shared_postgres_url(database_url: str, is_postgres: bool) -> Iterator[str]:
    if not is_postgres:
        pytest.skip("set JOURNAL_TEST_DATABASE_URL to a PostgreSQL database to run this")
    with scratch_database(database_url) as url:
        upgrade_to_head(url)
        yield url


@pytest.mark.fault
async def test_kill_9_under_write_load_loses_no_acknowledged_write(
    fault_database_url: str, tmp_path: Path
) -> None:
    server = Server(fault_database_url, tmp_path)
    try:
        async with asyncio.timeout(TEST_TIMEOUT_S), open_database(fault_database_url) as db:
            participants = [await db.participant() for _ in range(4)]
            await server.start_and_wait()
            async with WriteLoad(server.base_url, participants, WRITERS) as load:
                for _ in range(KILLS):
                    await load.wait_for_acks(30)
                    server.kill()
                    await asyncio.sleep(0.2)  # clients meet a closed port for a while
                    await server.start_and_wait()
                await load.wait_for_acks(30)
            outcome = load.outcome

            assert outcome.bad_responses == []
            assert outcome.unacked, "no kill hit a request in flight"
            await assert_every_write_kept_once(db, server.base_url, outcome)
            server.stop()
            if not db.is_postgres:
                assert await db.scalar("PRAGMA integrity_check") == "ok"
    finally:
        server.stop()


@pytest.mark.fault
@pytest.mark.skipif(
    cluster_unavailable_reason() is not None, reason=str(cluster_unavailable_reason())
)
async def test_postgres_restart_under_load_is_503_then_recovers_without_losing_writes(
    tmp_path: Path,
) -> None:
    cluster = TemporaryCluster()
    server = Server(cluster.url, tmp_path, db_pool_size="3", db_max_overflow="1")
    try:
        async with asyncio.timeout(TEST_TIMEOUT_S):
            await asyncio.to_thread(cluster.init)
            await cluster.start_async()
            await journal_migrate(cluster.url, tmp_path)
            server.start()
            await server.wait_ready("/readyz")
            async with open_database(cluster.url) as db:
                participants = [await db.participant() for _ in range(4)]
                async with (
                    WriteLoad(server.base_url, participants, WRITERS) as load,
                    ReadinessProbe(server.base_url) as probe,
                ):
                    await load.wait_for_acks(50)
                    await cluster.stop_async("fast")
                    await probe.wait_for(503, within_s=10)
                    refused = load.outcome.statuses[503]
                    await asyncio.sleep(1.0)  # an outage that lasts
                    assert load.outcome.statuses[503] > refused, "no request met the outage"

                    await cluster.start_async()
                    back_at = time.monotonic()
                    await load.wait_for_acks(20, within_s=10)
                    await probe.wait_for(200, within_s=10)
                    recovery_s = time.monotonic() - back_at
                outcome = load.outcome

                assert recovery_s < 10
                assert outcome.bad_responses == [], server.log_tail()
                assert probe.bad_responses == []
                # No request hung past the client's timeout, and none was dropped.
                assert outcome.transport_errors == {}
                assert outcome.statuses[503] > 0
                await assert_every_write_kept_once(db, server.base_url, outcome)
    finally:
        server.stop()
        cluster.destroy()


@pytest.mark.fault
async def test_two_processes_on_one_postgres_share_idempotency_throttling_and_sessions(
    shared_postgres_url: str, tmp_path: Path, password_hash: str
) -> None:
    servers = [
        Server(shared_postgres_url, tmp_path, login_max_failures_per_email="4") for _ in "ab"
    ]
    try:
        async with (
            asyncio.timeout(TEST_TIMEOUT_S),
            open_database(shared_postgres_url) as db,
            httpx.AsyncClient(base_url=servers[0].base_url, timeout=10) as a,
            httpx.AsyncClient(base_url=servers[1].base_url, timeout=10) as b,
        ):
            for server in servers:
                server.start()
            await asyncio.gather(*(server.wait_ready("/readyz") for server in servers))
            sam = await db.participant(password_hash)

            # One id posted through both at once: one row, one 201 and one 200.
            ids = [uuid.uuid4() for _ in range(20)]
            for n, entry_id in enumerate(ids):
                body = entry_body(entry_id, n)
                both = await asyncio.gather(
                    a.post(ENTRIES, json=body, headers=sam.headers),
                    b.post(ENTRIES, json=body, headers=sam.headers),
                )
                assert sorted(r.status_code for r in both) == [200, 201]
            assert await db.stored_ids([sam.id]) == dict.fromkeys(ids, 1)

            # Failed sign-ins through A and B add up to the limit.
            wrong = {"username": sam.email, "password": "not the password at all"}
            for client in (a, b, a, b):
                assert (await client.post("/v1/auth/token", data=wrong)).status_code == 401
            right = {"username": sam.email, "password": TEST_PASSWORD}
            throttled = await a.post("/v1/auth/token", data=right)
            assert throttled.status_code == 429
            assert int(throttled.headers["retry-after"]) > 0

            # A logout through A ends the session on B at once.
            kim = await db.participant()
            assert (await b.get("/v1/me", headers=kim.headers)).status_code == 200
            assert (await a.post("/v1/auth/logout", headers=kim.headers)).status_code == 204
            assert (await b.get("/v1/me", headers=kim.headers)).status_code == 401
    finally:
        for server in servers:
            server.stop()


@pytest.mark.fault
@pytest.mark.parametrize("workers", [1, 2])
async def test_fifty_parallel_writers_on_sqlite_all_succeed(
    sqlite_url: str, tmp_path: Path, workers: int
) -> None:
    server = Server(sqlite_url, tmp_path, workers=workers)
    try:
        async with asyncio.timeout(TEST_TIMEOUT_S), open_database(sqlite_url) as db:
            participants = [await db.participant() for _ in range(10)]
            server.start()
            await server.wait_ready()
            limits = httpx.Limits(max_connections=50)
            async with httpx.AsyncClient(
                base_url=server.base_url, timeout=30, limits=limits
            ) as client:

                async def writer(number: int) -> list[httpx.Response]:
                    participant = participants[number % len(participants)]
                    responses = []
                    for n in range(4):
                        body = entry_body(uuid.uuid4(), number * 10 + n)
                        responses.append(
                            await client.post(ENTRIES, json=body, headers=participant.headers)
                        )
                    return responses

                results = await asyncio.gather(*(writer(n) for n in range(50)))
            responses = [response for batch in results for response in batch]

            assert {response.status_code for response in responses} == {201}
            stored = await db.stored_ids([p.id for p in participants])
            assert stored == {uuid.UUID(r.json()["id"]): 1 for r in responses}
            assert await db.torn_participants([p.id for p in participants]) == []
            assert "locked" not in server.log_text()
            assert "database unavailable" not in server.log_text()
    finally:
        server.stop()


def _asyncpg_failure(error: Exception) -> DBAPIError:
    """`error` as the application sees it: asyncpg's, wrapped by SQLAlchemy's adapter."""
    # SQLAlchemy leaves the adapter's __init__ unannotated: called through its real type.
    adapter = cast(Callable[[ModuleType], AsyncAdapt_asyncpg_dbapi], AsyncAdapt_asyncpg_dbapi)
    adapted = adapter(asyncpg)
    for asyncpg_type, adapter_type in adapted._asyncpg_error_translate.items():
        if isinstance(error, asyncpg_type):
            try:
                raise adapter_type(str(error), error) from error
            except Exception as wrapped:
                return DBAPIError("SELECT 1", None, wrapped)
    return DBAPIError("SELECT 1", None, error)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.exceptions.TooManyConnectionsError("sorry, too many clients already"),
        asyncpg.exceptions.InterfaceError("connection is closed"),
        ConnectionRefusedError(111, "Connect call failed"),
        TimeoutError(),
    ],
    ids=type,
)
def test_database_outages_are_told_apart_from_bugs(error: Exception) -> None:
    assert is_database_unavailable(error)
    assert is_database_unavailable(_asyncpg_failure(error))


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key value"),
        asyncpg.exceptions.PostgresSyntaxError("syntax error at or near"),
        asyncpg.exceptions.DataError("invalid input syntax"),
        ValueError("a bug"),
    ],
    ids=type,
)
def test_query_errors_and_bugs_are_not_outages(error: Exception) -> None:
    assert not is_database_unavailable(error)
    assert not is_database_unavailable(_asyncpg_failure(error))


@asynccontextmanager
async def silent_database() -> AsyncIterator[int]:
    """A port that accepts TCP connections and never says a word, like a hung server."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_a_database_that_never_answers_is_a_quick_503_not_a_hang() -> None:
    async with silent_database() as port:
        settings = Settings(
            database_url=f"postgresql+asyncpg://journal@127.0.0.1:{port}/journal",
            secret_key=SecretStr(SECRET_KEY),
            db_connect_timeout_seconds=0.5,
        )
        token = create_access_token(settings, uuid.uuid4(), uuid.uuid4(), utcnow())
        application = create_app(settings)
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
            async with (
                asyncio.timeout(10),
                httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
            ):
                started = time.monotonic()
                me = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
                ready = await client.get("/readyz")
                elapsed = time.monotonic() - started

    assert me.status_code == 503
    assert me.headers["content-type"] == "application/problem+json"
    assert int(me.headers["retry-after"]) > 0
    assert ready.status_code == 503
    assert elapsed < 3
