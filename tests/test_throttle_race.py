"""The sign-in throttle holds against simultaneous guesses sent to two `journal serve`
processes on one database (issue 10, item 3): real processes, real sockets, bounded in time."""

import asyncio
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.faults.load import open_database
from tests.faults.server import Server

GUESSES = 50
LIMIT = 10
TEST_TIMEOUT_S = 90


@pytest.mark.fault
async def test_fifty_simultaneous_guesses_through_two_processes_check_at_most_ten(
    fault_database_url: str, tmp_path: Path, password_hash: str
) -> None:
    # Hashing queues large enough for every guess: only the throttle is under test.
    servers = [Server(fault_database_url, tmp_path, password_hashing_queue_max="100") for _ in "ab"]
    try:
        async with asyncio.timeout(TEST_TIMEOUT_S), open_database(fault_database_url) as db:
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
