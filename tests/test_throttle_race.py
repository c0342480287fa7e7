"""The sign-in throttle holds against simultaneous guesses sent to two `journal serve`
processes on one database (issue 10, item 3): real processes, real sockets, bounded in time."""

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.migrations import upgrade_to_head
from tests.faults.load import open_database
from tests.faults.postgres import scratch_database
from tests.faults.server import Server

GUESSES = 50
LIMIT = 10
TEST_TIMEOUT_S = 90


@pytest.fixture(params=["sqlite", "postgresql"])
def race_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str, is_postgres: bool
) -> Iterator[str]:
    """A migrated database of the test's own: a SQLite file, or a scratch PostgreSQL
    database when JOURNAL_TEST_DATABASE_URL points at one."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/race.db"
        upgrade_to_head(url)
        yield url
        return
    if not is_postgres:
        pytest.skip("set JOURNAL_TEST_DATABASE_URL to a PostgreSQL database to run this")
    with scratch_database(database_url) as url:
        upgrade_to_head(url)
        yield url


@pytest.mark.fault
async def test_fifty_simultaneous_guesses_through_two_processes_check_at_most_ten(
    race_database_url: str, tmp_path: Path, password_hash: str
) -> None:
    # Hashing queues large enough for every guess: only the throttle is under test.
    servers = [Server(race_database_url, tmp_path, password_hashing_queue_max="100") for _ in "ab"]
    try:
        async with asyncio.timeout(TEST_TIMEOUT_S), open_database(race_database_url) as db:
            for server in servers:
                server.start()
            await asyncio.gather(*(server.wait_ready("/readyz") for server in servers))
            account = await db.participant(password_hash)
            wrong = {"username": account.email, "password": "not the password at all"}
            clients = [httpx.AsyncClient(base_url=s.base_url, timeout=30) for s in servers]
            try:
                answers = await asyncio.gather(
                    *(clients[n % 2].post("/v1/auth/token", data=wrong) for n in range(GUESSES))
                )
            finally:
                for client in clients:
                    await client.aclose()

            statuses = Counter(answer.status_code for answer in answers)
            assert set(statuses) <= {401, 429}, statuses
            assert statuses[401] <= LIMIT, statuses
            checked = await db.scalar(
                "SELECT count(*) FROM audit_events "
                "WHERE action = 'auth.sign_in' AND outcome = 'failure'"
            )
            assert checked == statuses[401]
    finally:
        for server in servers:
            server.stop()
