"""An export that its client never reads must not hold a database connection.

A real `journal serve`, a participant with an export of several MB, and raw sockets with a
small receive buffer that request the export and never read it: the server's `send` then
blocks (flow control) with part of the export still to come. Other participants must not
notice (`GET /v1/me` keeps its latency, no `503`); one account cannot open more than its
cap of exports; a stalled export is stopped, and its connection closed, after the send
timeout. The same rules checked in the app itself: tests/test_export_limits.py.
"""

import asyncio
import json
import socket
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import insert

from app.db import utcnow
from app.journal.models import JournalCounter, JournalEntry
from tests.faults.load import Database, Participant, open_database
from tests.faults.server import Server

TEST_TIMEOUT_S = 60
# About 16 MB of JSON, several times what the kernel's socket buffers and uvicorn hold
# (here 3 MB were sent before the stalled export blocked).
SEEDED_ENTRIES = 30_000
NOTE = "A long note, so that the export is several megabytes. " * 4
# The longest note a client may send (2,000 characters), in 4-byte characters: 999 such
# entries are one chunk of the export, 8 MB, sent at once; the send after it blocks.
HEAVY_NOTE = "\N{SLEEPING FACE}" * 2000
HEAVY_ENTRIES = 999
LATENCY_SAMPLES = 50
# Small pool on PostgreSQL, so that two held connections would drain it and show as 503s.
POOL = {"db_pool_size": "2", "db_max_overflow": "0", "db_pool_timeout_seconds": "3"}


async def seed_entries(
    db: Database, participant_id: uuid.UUID, count: int, note: str = NOTE
) -> None:
    """`count` entries straight in the database (posting them would take minutes)."""
    now = utcnow()
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = []
    for number in range(count):
        recorded_at = start + timedelta(minutes=15 * number)
        rows.append(
            {
                "id": uuid.uuid4(),
                "participant_id": participant_id,
                "recorded_at": recorded_at,
                "utc_offset_minutes": 0,
                "local_date": recorded_at.date(),
                "mood": number % 11,
                "focus": (number * 3) % 11,
                "anxiety": (number * 7) % 11,
                "note": note,
                "tags": ",stall,",
                "version": 1,
                "change_seq": number + 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    async with db.engine.begin() as connection:
        await connection.execute(insert(JournalEntry), rows)
        counter = {"participant_id": participant_id, "last_change_seq": count}
        await connection.execute(insert(JournalCounter).values(**counter))


def open_stalled_export(server: Server, who: Participant, export_format: str) -> socket.socket:
    """A client that requests the export with a tiny receive buffer, then never reads."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: the window
    sock.settimeout(10)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(
        f"GET /v1/me/export?format={export_format} HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {who.token}\r\n\r\n".encode()
    )
    return sock


def peek_status(sock: socket.socket) -> int:
    """The response's status, read without consuming anything (the window stays shut)."""
    head = b""
    while len(head) < 12:
        head = sock.recv(64, socket.MSG_PEEK)
    return int(head[9:12])


def read_to_end(sock: socket.socket, within_s: float) -> tuple[bytes, bool]:
    """Everything the server sends, and whether it closed the connection within the time."""
    sock.settimeout(0.5)
    received = bytearray()
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(1 << 16)
        except TimeoutError:
            continue
        if not chunk:
            return bytes(received), True
        received += chunk
    return bytes(received), False


async def median_me_latency(
    client: httpx.AsyncClient, who: Participant
) -> tuple[float, list[int | str]]:
    """p50 of `GET /v1/me` over the samples, and every status (or error) seen."""
    durations: list[float] = []
    outcomes: list[int | str] = []
    for _ in range(LATENCY_SAMPLES):
        started = time.perf_counter()
        try:
            response = await client.get("/v1/me", headers=who.headers)
        except httpx.TimeoutException as exc:
            outcomes.append(type(exc).__name__)
            break  # the old code: every request would wait for the pool in turn
        durations.append(time.perf_counter() - started)
        outcomes.append(response.status_code)
        if response.status_code != 200:
            break
    return (statistics.median(durations) if durations else float("inf")), outcomes


@pytest.mark.fault
async def test_exports_that_are_never_read_do_not_slow_other_participants(
    fault_database_url: str, tmp_path: Path
) -> None:
    # `workers` named: else mypy takes POOL's str values for it.
    server = Server(fault_database_url, tmp_path, workers=1, **POOL)
    sockets: list[socket.socket] = []
    try:
        async with asyncio.timeout(TEST_TIMEOUT_S), open_database(fault_database_url) as db:
            # Two ways to stall: in the middle of the entries (many of them), and after
            # them (one heavy chunk), where the assignments and the access log are read.
            many, heavy, other = [await db.participant() for _ in range(3)]
            await seed_entries(db, many.id, SEEDED_ENTRIES)
            await seed_entries(db, heavy.id, HEAVY_ENTRIES, HEAVY_NOTE)
            await server.start_and_wait()
            async with httpx.AsyncClient(base_url=server.base_url, timeout=5.0) as client:
                await median_me_latency(client, other)  # warm up
                baseline, baseline_outcomes = await median_me_latency(client, other)
                assert set(baseline_outcomes) == {200}

                sockets = [
                    open_stalled_export(server, exporter, export_format)
                    for exporter in (many, heavy)
                    for export_format in ("json", "csv")
                ]
                statuses = [await asyncio.to_thread(peek_status, s) for s in sockets]
                assert statuses == [200] * 4
                await asyncio.sleep(1.0)  # the server fills the buffers and blocks in send

                stalled, stalled_outcomes = await median_me_latency(client, other)
                assert set(stalled_outcomes) == {200}, stalled_outcomes
                assert stalled < 3 * baseline + 0.050, (stalled, baseline)
                ready = await client.get("/readyz")
                third = await client.get("/v1/me/export", headers=many.headers)

            assert ready.status_code == 200
            assert third.status_code == 429
            assert third.headers["content-type"] == "application/problem+json"
            assert int(third.headers["retry-after"]) >= 1
    finally:
        for sock in sockets:
            sock.close()
        server.stop()


@pytest.mark.fault
async def test_a_stalled_export_is_closed_after_the_send_timeout(
    fault_database_url: str, tmp_path: Path
) -> None:
    server = Server(
        fault_database_url,
        tmp_path,
        stream_send_timeout_seconds="2",
        export_max_concurrent_per_account="1",
        workers=1,  # named: else mypy takes POOL's str values for it
        **POOL,
    )
    sock: socket.socket | None = None
    try:
        async with asyncio.timeout(TEST_TIMEOUT_S), open_database(fault_database_url) as db:
            exporter = await db.participant()
            await seed_entries(db, exporter.id, SEEDED_ENTRIES)
            await server.start_and_wait()
            sock = open_stalled_export(server, exporter, "json")
            assert await asyncio.to_thread(peek_status, sock) == 200
            async with httpx.AsyncClient(base_url=server.base_url, timeout=10.0) as client:
                refused = await client.get("/v1/me/export", headers=exporter.headers)
                assert refused.status_code == 429  # the cap is 1 here, and it is taken

                await asyncio.sleep(4.0)  # past the 2 s send timeout
                body, closed = await asyncio.to_thread(read_to_end, sock, 10.0)

                assert closed, "the server kept the stalled connection open"
                assert not body.endswith(b"0\r\n\r\n"), "the export was sent whole"
                assert "stream.send_timeout" in server.log_text()
                # The slot is free again: a client that reads gets the whole export.
                export = await client.get("/v1/me/export", headers=exporter.headers)
                assert export.status_code == 200
                assert len(json.loads(export.content)["entries"]) == SEEDED_ENTRIES
                # Far more than the socket buffers hold: the stalled export was blocked.
                assert len(body) < len(export.content) // 2
    finally:
        if sock is not None:
            sock.close()
        server.stop()
