"""The export's limits, checked in the app itself (the fault tests in
tests/test_export_stall.py check them on a real server): it holds no database connection
while its body waits for the client, one account runs at most its cap of exports at once,
a body the client does not accept is stopped after the send timeout; and every part of the
export is read in chunks.
"""

import asyncio
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.users.models import Role
from tests.conftest import Accounts, ServeApp
from tests.helpers import assign, post_entry


async def test_every_part_of_the_export_is_read_in_chunks(
    client: httpx.AsyncClient, accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With chunks of 2 rows, the entries, the assignments and the access log each span
    several chunks: every row comes once, in order."""
    monkeypatch.setattr("app.account.export.CHUNK_ROWS", 2)
    sam = await accounts.make()
    admin = await accounts.make(Role.admin)
    clinicians = [await accounts.make(Role.clinician) for _ in range(3)]
    for number in range(5):
        recorded_at = f"2026-11-0{1 + number}T08:00:00+00:00"
        assert (await post_entry(client, sam, recorded_at=recorded_at, mood=number)).is_success
    for clinician in clinicians:
        await assign(client, admin, sam, clinician)
        for _ in range(2):
            path = f"/v1/clinician/participants/{sam.id}/entries"
            assert (await client.get(path, headers=clinician.headers)).status_code == 200

    document = (await client.get("/v1/me/export", headers=sam.headers)).json()
    log = await client.get("/v1/me/access-log", params={"limit": 200}, headers=sam.headers)

    assert [e["mood"] for e in document["entries"]] == list(range(5))
    assert [a["clinician_id"] for a in document["assignments"]] == [str(c.id) for c in clinicians]
    assert len(log.json()["items"]) >= 9  # 3 assignments by the admin, 6 clinician reads
    assert document["access_log"] == list(reversed(log.json()["items"]))


class HeldExport:
    """The export route run straight through ASGI by a client that accepts the response's
    start, then no body until `release` is set (as a socket that is never read)."""

    def __init__(self, app: Any, account: Any) -> None:
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.messages: list[dict[str, Any]] = []
        self.request_read = False
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/v1/me/export",
            "raw_path": b"/v1/me/export",
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"testserver"),
                *((k.lower().encode(), v.encode()) for k, v in account.headers.items()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        self.task = asyncio.create_task(app(self.scope, self._receive, self._send))

    async def _receive(self) -> dict[str, Any]:
        if not self.request_read:
            self.request_read = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.release.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: dict[str, Any]) -> None:
        self.messages.append(message)
        if message["type"] == "http.response.start":
            self.started.set()
        else:
            await self.release.wait()

    @property
    def status(self) -> int:
        return int(self.messages[0]["status"])

    @property
    def completed(self) -> bool:
        return any(
            m["type"] == "http.response.body" and not m.get("more_body") for m in self.messages
        )


async def test_a_third_export_at_once_is_429_and_the_slots_come_back(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    held = [HeldExport(app, sam) for _ in range(2)]
    for export in held:
        await asyncio.wait_for(export.started.wait(), 10)

    # Blocked in sending its body, an export holds no database connection.
    me = await asyncio.wait_for(client.get("/v1/me", headers=sam.headers), 5)
    third = await client.get("/v1/me/export", headers=sam.headers)
    other = await client.get("/v1/me/export", headers=(await accounts.make()).headers)
    for export in held:
        export.release.set()
        await asyncio.wait_for(export.task, 10)
    after = await client.get("/v1/me/export", headers=sam.headers)

    assert [export.status for export in held] == [200, 200]
    assert me.status_code == 200
    assert third.status_code == 429
    assert third.headers["content-type"] == "application/problem+json"
    assert third.headers["retry-after"] == "30"
    assert third.json()["status"] == 429
    assert other.status_code == 200  # the cap is per account
    assert after.status_code == 200


async def test_a_body_the_client_does_not_accept_is_stopped_after_the_send_timeout(
    serve_app: ServeApp,
) -> None:
    async with serve_app(
        stream_send_timeout_seconds=0.2, export_max_concurrent_per_account=1
    ) as served:
        sam = await served.accounts.make()
        export = HeldExport(served.app, sam)
        await asyncio.wait_for(export.task, 10)  # ends by itself, the client still stalled
        after = await served.client.get("/v1/me/export", headers=sam.headers)

    assert export.status == 200
    assert not export.completed
    assert after.status_code == 200
