"""A missing or unmigrated database is `503` with `Retry-After` on every route, never `500`."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app import schema_gate
from app.config import Settings
from app.main import create_app
from app.migrations import upgrade_to_head
from tests.conftest import SECRET_KEY

ROUTES = [
    ("POST", "/v1/auth/token", {"data": {"username": "a@example.org", "password": "x" * 20}}),
    ("GET", "/v1/me", {"headers": {"Authorization": "Bearer nope"}}),
    ("GET", "/v1/me/entries", {}),
    ("POST", "/v1/auth/activate", {"json": {"email": "a@example.org"}}),
]


@asynccontextmanager
async def client_for(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url=database_url, secret_key=SecretStr(SECRET_KEY))
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def assert_every_route_is_503(client: httpx.AsyncClient) -> None:
    for method, path, options in ROUTES:
        response = await client.request(method, path, **options)  # type: ignore[arg-type]
        assert response.status_code == 503, (path, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"].isdigit()
        assert "journal migrate" in response.json()["detail"]
    assert (await client.get("/healthz")).status_code == 200
    assert (await client.get("/readyz")).status_code == 503


async def test_an_unmigrated_database_is_503_everywhere_until_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema_gate, "RECHECK_SECONDS", 0.2)
    url = f"sqlite+aiosqlite:///{tmp_path}/empty.db"
    async with client_for(url) as client:
        await assert_every_route_is_503(client)
        await asyncio.to_thread(upgrade_to_head, url)
        await asyncio.sleep(0.3)
        response = await client.post(
            "/v1/auth/token", data={"username": "a@example.org", "password": "x" * 20}
        )
        assert response.status_code == 401  # served now: an unknown account
        assert (await client.get("/readyz")).status_code == 200


@pytest.mark.postgres_only("SQLite creates a missing database file")
async def test_a_database_that_does_not_exist_is_503_not_500(
    database_url: str, is_postgres: bool
) -> None:
    missing = database_url.rsplit("/", 1)[0] + f"/journal_missing_{uuid.uuid4().hex[:8]}"
    async with client_for(missing) as client:
        await assert_every_route_is_503(client)
