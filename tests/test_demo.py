"""`journal demo`: a ready-to-try clinic, idempotent, refused in production."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
from pydantic import SecretStr

from app.config import Settings
from app.main import create_app
from app.seed import DEMO_DOMAIN, DEMO_PASSWORD
from tests.conftest import SECRET_KEY


def run_demo(database: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "JOURNAL_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "app", "demo"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_demo_creates_a_clinic_once_and_its_logins_work(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    first, second = run_demo(database), run_demo(database)
    assert first.returncode == second.returncode == 0, first.stderr
    assert "Demo clinic created." in first.stdout
    assert "already present; nothing changed" in second.stdout
    assert f"sam@{DEMO_DOMAIN}" in second.stdout
    assert "Clinic console: http://127.0.0.1:8000/console/" in second.stdout

    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{database}", secret_key=SecretStr(SECRET_KEY)
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
            token = await client.post(
                "/v1/auth/token",
                data={"username": f"dr.okafor@{DEMO_DOMAIN}", "password": DEMO_PASSWORD},
            )
            assert token.status_code == 200
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            overview = await client.get("/v1/clinician/participants", headers=headers)
            items = overview.json()["items"]
            assert len(items) >= 2
            assert all(item["last_entry_at"] is not None for item in items)
            await the_demo_shows_supervision(client)


def test_demo_is_refused_in_production(tmp_path: Path) -> None:
    result = run_demo(tmp_path / "prod.db", JOURNAL_ENV="production", JOURNAL_SECRET_KEY=SECRET_KEY)
    assert result.returncode != 0
    assert "production" in result.stderr
    assert not (tmp_path / "prod.db").exists()


async def sign_in(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    token = await client.post(
        "/v1/auth/token", data={"username": f"{name}@{DEMO_DOMAIN}", "password": DEMO_PASSWORD}
    )
    assert token.status_code == 200
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def the_demo_shows_supervision(client: httpx.AsyncClient) -> None:
    """Alerts in every state, an escalation the backup covers and the admins see, and the
    clinic's support contacts."""
    states = set()
    for clinician in ("dr.okafor", "dr.lindqvist"):
        inbox = await client.get("/v1/clinician/alerts", headers=await sign_in(client, clinician))
        states |= {item["status"] for item in inbox.json()["items"]}
    assert states == {"open", "acknowledged", "resolved"}
    admin = await sign_in(client, "admin")
    (overdue,) = (await client.get("/v1/admin/alerts/overdue", headers=admin)).json()["items"]
    assert overdue["escalated_at"] is not None
    assert overdue["backup_clinician"] == "Dr. Erik Lindqvist"
    sam = await sign_in(client, "sam")
    team = (await client.get("/v1/me/care-team", headers=sam)).json()
    assert team["backup"] == {"display_name": "Dr. Erik Lindqvist"}
    overview = await client.get(
        "/v1/clinician/participants", headers=await sign_in(client, "dr.okafor")
    )
    for item in overview.json()["items"]:
        assert {score["instrument"] for score in item["latest_scores"]} == {"phq-9", "gad-7"}
    due = (await client.get("/v1/me/assessments/due", headers=sam)).json()
    assert isinstance(due, list)
    support = (await client.get("/v1/me/support", headers=sam)).json()
    assert support["resources"] and all(r["name"] for r in support["resources"])
