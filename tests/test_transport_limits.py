"""`journal serve` on a real socket: bounded request heads, deadlines for incomplete
requests, a connection cap, and X-Forwarded-For believed only from configured proxies.

The `fault` tests start a real `python -m app serve` (tests/faults/server.py) and talk to it
with raw sockets where a well-behaved client cannot show the fault, bounded in time.
"""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from app.config import Settings
from app.server import uvicorn_options
from tests.faults.server import Server

TEST_TIMEOUT_S = 60
# Low deadlines, so that the tests wait for them without taking long.
DEADLINE_S = 1.0
FAST = {"header_timeout_seconds": str(DEADLINE_S), "body_timeout_seconds": str(DEADLINE_S)}
MB = 1024 * 1024


@asynccontextmanager
async def running(database_url: str, workdir: Path, **settings: str) -> AsyncIterator[Server]:
    server = Server(database_url, workdir, workers=1, **settings)  # named: not a str of **settings
    try:
        async with asyncio.timeout(TEST_TIMEOUT_S):
            await server.start_and_wait()
            yield server
    finally:
        server.stop()


async def connect(server: Server) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", server.port)


async def send_all(writer: asyncio.StreamWriter, data: bytes, chunk: int = 64 * 1024) -> bool:
    """Send `data` in chunks; False once the server has closed the connection."""
    try:
        for start in range(0, len(data), chunk):
            writer.write(data[start : start + chunk])
            await writer.drain()
    except ConnectionError:  # reset, or a broken pipe
        return False
    return True


async def read_until_closed(reader: asyncio.StreamReader, within_s: float) -> bytes:
    """Everything the server sends until it closes the connection (fails past `within_s`)."""
    received = b""
    async with asyncio.timeout(within_s):
        while True:
            try:
                chunk = await reader.read(65536)
            except ConnectionError:  # reset, or our own write's broken pipe
                return received
            if not chunk:
                return received
            received += chunk


def resident_kib(server: Server) -> int:
    assert server.process is not None
    status = Path(f"/proc/{server.process.pid}/status").read_text()
    (line,) = [line for line in status.splitlines() if line.startswith("VmRSS:")]
    return int(line.split()[1])


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


# --- item 4: header size ------------------------------------------------------------------


@pytest.mark.fault
async def test_a_header_over_the_limit_is_431_and_closed(
    fault_database_url: str, tmp_path: Path
) -> None:
    async with running(fault_database_url, tmp_path, max_header_bytes="16384") as server:
        # 32 kB in one write: the whole head arrives in one read, counted exactly.
        reader, writer = await connect(server)
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 32 * 1024 + b"\r\n\r\n"
        await send_all(writer, head)
        response = await read_until_closed(reader, within_s=5)
        assert status_of(response) == 431
        writer.close()

        # Just under the limit still works.
        async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
            ok = await client.get("/healthz", headers={"X-Big": "a" * 15_000})
        assert ok.status_code == 200


@pytest.mark.fault
async def test_unterminated_20_mb_headers_are_refused_without_growing_memory(
    fault_database_url: str, tmp_path: Path
) -> None:
    async with running(fault_database_url, tmp_path) as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
            for _ in range(20):  # warm up: what serving requests allocates anyway
                assert (await client.get("/healthz")).status_code == 200
        before = resident_kib(server)

        async def flood() -> tuple[bytes | None, asyncio.StreamWriter]:
            reader, writer = await connect(server)
            await send_all(writer, b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20 * MB)
            try:
                return await read_until_closed(reader, within_s=5), writer
            except TimeoutError:
                return None, writer  # still open: what it sent may still be held

        floods = await asyncio.gather(flood(), flood(), flood())
        grown_kib = resident_kib(server) - before
        for _response, writer in floods:
            writer.close()

        assert grown_kib < 5 * 1024, f"the server grew by {grown_kib} KiB"
        # Refused with 431 and closed (or closed with nothing, had the close won the race).
        responses = [response for response, _writer in floods]
        assert all(r == b"" or (r and status_of(r) == 431) for r in responses), responses
        async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
            assert (await client.get("/healthz")).status_code == 200


# --- item 4: deadlines ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sent",
    [
        b"",  # connected, never a byte
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Half: sent",  # headers never finished
        # Headers finished, the promised body never sent.
        b"POST /v1/auth/activate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n{",
    ],
    ids=["silent", "half-sent-headers", "body-never-sent"],
)
@pytest.mark.fault
async def test_an_incomplete_request_is_closed_within_the_deadline(
    fault_database_url: str, tmp_path: Path, sent: bytes
) -> None:
    async with running(fault_database_url, tmp_path, **FAST) as server:
        reader, writer = await connect(server)
        started = time.monotonic()
        await send_all(writer, sent)

        response = await read_until_closed(reader, within_s=DEADLINE_S + 4)
        waited = time.monotonic() - started
        writer.close()

        assert DEADLINE_S * 0.8 <= waited <= DEADLINE_S + 2, waited
        if sent.startswith(b"GET"):
            assert status_of(response) == 408


@pytest.mark.fault
async def test_a_slow_but_steady_head_is_still_cut_at_the_header_deadline(
    fault_database_url: str, tmp_path: Path
) -> None:
    """A header byte every 100 ms never lets the connection idle, yet the head must end in time."""
    async with running(fault_database_url, tmp_path, **FAST) as server:
        reader, writer = await connect(server)
        started = time.monotonic()
        sending = await send_all(writer, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        while sending and not reader.at_eof() and time.monotonic() - started < DEADLINE_S + 3:
            await asyncio.sleep(0.1)
            sending = await send_all(writer, b"a")
        response = await read_until_closed(reader, within_s=2)
        writer.close()

        assert time.monotonic() - started <= DEADLINE_S + 2.5
        # 408, unless our next byte met the closed socket first and the reset dropped it.
        assert response == b"" or status_of(response) == 408


@pytest.mark.fault
async def test_normal_requests_keep_alive_and_bodies_still_work(
    fault_database_url: str, tmp_path: Path
) -> None:
    async with (
        running(fault_database_url, tmp_path, **FAST) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=5) as client,
    ):
        for _ in range(3):
            assert (await client.get("/healthz")).status_code == 200
            await asyncio.sleep(DEADLINE_S * 1.5)  # idle between requests: keep-alive's business
        body = {"email": "nobody@example.org", "activation_code": "x" * 20, "password": "y" * 20}
        refused = await client.post("/v1/auth/activate", json=body)
        assert refused.status_code in (400, 401, 422), refused.text
        too_big = await client.post(
            "/v1/me/entries", content=b"x" * (2 * MB), headers={"Content-Type": "application/json"}
        )
        assert too_big.status_code == 413


# --- item 4: connection cap -----------------------------------------------------------------


@pytest.mark.fault
async def test_connections_past_the_cap_are_503(fault_database_url: str, tmp_path: Path) -> None:
    async with running(fault_database_url, tmp_path, max_connections="4") as server:
        idle = [await connect(server) for _ in range(4)]
        await asyncio.sleep(0.2)  # let the server accept them
        async with httpx.AsyncClient(base_url=server.base_url, timeout=5) as client:
            assert (await client.get("/healthz")).status_code == 503
            for _reader, writer in idle:
                writer.close()
            await asyncio.sleep(0.3)
            assert (await client.get("/healthz")).status_code == 200


# --- item 7: trusted proxies ----------------------------------------------------------------


async def failed_sign_in(client: httpx.AsyncClient, forwarded_for: str) -> int:
    """A wrong password for a new unknown e-mail, so that only the address bucket is shared."""
    form = {"username": f"nobody-{uuid.uuid4().hex[:8]}@example.org", "password": "wrong" * 4}
    response = await client.post(
        "/v1/auth/token", data=form, headers={"X-Forwarded-For": forwarded_for}
    )
    return response.status_code


@pytest.mark.fault
async def test_x_forwarded_for_is_ignored_by_default(
    fault_database_url: str, tmp_path: Path
) -> None:
    async with (
        running(fault_database_url, tmp_path, login_max_failures_per_address="1") as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=10) as client,
    ):
        assert await failed_sign_in(client, "1.2.3.4") == 401
        # Another claimed address, the same peer (127.0.0.1): the same, full bucket.
        assert await failed_sign_in(client, "5.6.7.8") == 429


@pytest.mark.fault
async def test_x_forwarded_for_from_a_trusted_proxy_is_the_client_address(
    fault_database_url: str, tmp_path: Path
) -> None:
    settings = {"login_max_failures_per_address": "1", "trusted_proxies": "127.0.0.1"}
    async with (
        running(fault_database_url, tmp_path, **settings) as server,
        httpx.AsyncClient(base_url=server.base_url, timeout=10) as client,
    ):
        assert await failed_sign_in(client, "1.2.3.4") == 401
        assert await failed_sign_in(client, "5.6.7.8") == 401  # a bucket of its own
        assert await failed_sign_in(client, "1.2.3.4") == 429


# --- the settings behind them ---------------------------------------------------------------


def test_proxy_headers_are_off_unless_proxies_are_trusted() -> None:
    assert uvicorn_options(Settings())["proxy_headers"] is False

    options = uvicorn_options(Settings(trusted_proxies=" 10.0.0.0/8, 127.0.0.1 ,"))

    assert options["proxy_headers"] is True
    assert options["forwarded_allow_ips"] == "10.0.0.0/8,127.0.0.1"


@pytest.mark.parametrize("proxies", ["*", "10.0.0.0/33", "proxy.internal"])
def test_trusted_proxies_must_be_addresses_or_networks(proxies: str) -> None:
    with pytest.raises(ValidationError):
        Settings(trusted_proxies=proxies)
