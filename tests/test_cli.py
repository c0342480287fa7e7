"""The `journal` command, run as a subprocess on a temporary SQLite file."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from app.config import Settings
from app.main import create_app
from tests.conftest import SECRET_KEY

ADMIN_PASSWORD = "granite lighthouse sings to the tide"
JOURNAL = str(Path(sys.executable).with_name("journal"))
STRONG_KEY = "kX9-pQ2_vL7mN4rT8wY1zA6bC3dE5fG0hJ2kL4nP6qR8sT"


def clean_env(database_url: str, **variables: str) -> dict[str, str]:
    """The caller's environment without any JOURNAL_* setting, plus the given ones."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("JOURNAL_")}
    env["JOURNAL_DATABASE_URL"] = database_url
    env.update(variables)
    return env


def journal(
    *args: str, env: dict[str, str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JOURNAL, *args],
        env=env,
        cwd=cwd,
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def users_in(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("SELECT email, role FROM users ORDER BY email").fetchall()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A SQLite file brought to the latest schema by `journal migrate`."""
    path = tmp_path_factory.mktemp("cli") / "journal.db"
    url = f"sqlite+aiosqlite:///{path}"
    result = journal("migrate", env=clean_env(url), cwd=path.parent)
    assert result.returncode == 0, result.stderr
    return path, url


# --- create-admin ------------------------------------------------------------------------


async def test_admin_made_by_create_admin_can_sign_in(
    migrated: tuple[Path, str], tmp_path: Path
) -> None:
    path, url = migrated
    env = clean_env(url, JOURNAL_ADMIN_PASSWORD=ADMIN_PASSWORD)

    result = journal("create-admin", "Boss@Clinic.Example", env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "created" in result.stdout
    assert ADMIN_PASSWORD not in result.stdout + result.stderr
    assert ("boss@clinic.example", "admin") in users_in(path)
    application = create_app(Settings(database_url=url, secret_key=SecretStr(SECRET_KEY)))
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            signed_in = await client.post(
                "/v1/auth/token",
                data={"username": "boss@clinic.example", "password": ADMIN_PASSWORD},
            )
            assert signed_in.status_code == 200
            token = signed_in.json()["access_token"]
            me = await client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["role"] == "admin"
    assert me.json()["display_name"] == "Administrator"


def test_create_admin_reads_the_password_from_standard_input(
    migrated: tuple[Path, str], tmp_path: Path
) -> None:
    path, url = migrated

    result = journal(
        "create-admin",
        "stdin-admin@clinic.example",
        "--display-name",
        "Front Desk",
        env=clean_env(url),
        cwd=tmp_path,
        stdin=ADMIN_PASSWORD + "\r\n",
    )

    assert result.returncode == 0, result.stderr
    assert ("stdin-admin@clinic.example", "admin") in users_in(path)


@pytest.mark.parametrize(
    ("password", "reason"),
    [("", "at least 15 characters"), ("passwordpassword123", "harder to guess")],
    ids=["empty", "common"],
)
def test_create_admin_refuses_a_weak_password_clearly(
    migrated: tuple[Path, str], tmp_path: Path, password: str, reason: str
) -> None:
    path, url = migrated
    env = clean_env(url, JOURNAL_ADMIN_PASSWORD=password) if password else clean_env(url)

    result = journal("create-admin", "weak@clinic.example", env=env, cwd=tmp_path)

    assert result.returncode != 0
    assert "password refused" in result.stderr
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert "weak@clinic.example" not in [email for email, _ in users_in(path)]


def test_create_admin_refuses_an_invalid_email(migrated: tuple[Path, str], tmp_path: Path) -> None:
    _, url = migrated
    env = clean_env(url, JOURNAL_ADMIN_PASSWORD=ADMIN_PASSWORD)

    result = journal("create-admin", "not-an-email", env=env, cwd=tmp_path)

    assert result.returncode != 0
    assert "email refused" in result.stderr
    assert "Traceback" not in result.stderr


def test_create_admin_refuses_an_existing_email(migrated: tuple[Path, str], tmp_path: Path) -> None:
    _, url = migrated
    env = clean_env(url, JOURNAL_ADMIN_PASSWORD=ADMIN_PASSWORD)
    assert journal("create-admin", "twice@clinic.example", env=env, cwd=tmp_path).returncode == 0

    again = journal("create-admin", "TWICE@clinic.example", env=env, cwd=tmp_path)

    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_create_admin_on_an_unmigrated_database_says_to_migrate(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/empty.db"
    env = clean_env(url, JOURNAL_ADMIN_PASSWORD=ADMIN_PASSWORD)

    result = journal("create-admin", "early@clinic.example", env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert "journal migrate" in result.stderr
    assert "Traceback" not in result.stderr


# --- production safety -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "must be set"),
        ("changeme", "placeholder"),
        ("too-short-for-hs256", "at least 32 bytes"),
        ("changeme-changeme-changeme-changeme", "repetitive"),
        ("a" * 64, "repetitive"),
    ],
    ids=["missing", "placeholder", "short", "repeated-placeholder", "one-character"],
)
def test_serve_refuses_production_without_a_strong_secret_key(
    tmp_path: Path, key: str | None, message: str
) -> None:
    env = clean_env(f"sqlite+aiosqlite:///{tmp_path}/x.db", JOURNAL_ENV="production")
    if key is not None:
        env["JOURNAL_SECRET_KEY"] = key

    # Should the check fail, the server would run until the timeout: keep it on a free port.
    result = journal("serve", "--port", str(free_port()), env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "refusing to start" in result.stderr
    assert "JOURNAL_SECRET_KEY" in result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if key is not None:
        assert key not in result.stderr.replace("JOURNAL_SECRET_KEY", "")


def test_invalid_setting_is_named_without_its_value(tmp_path: Path) -> None:
    env = clean_env(
        f"sqlite+aiosqlite:///{tmp_path}/x.db",
        JOURNAL_ENV="prod",
        JOURNAL_ACCESS_TOKEN_MINUTES="0",
    )

    result = journal("migrate", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "JOURNAL_ENV" in result.stderr
    assert "JOURNAL_ACCESS_TOKEN_MINUTES" in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_is_refused_in_production(tmp_path: Path) -> None:
    env = clean_env(
        f"sqlite+aiosqlite:///{tmp_path}/x.db",
        JOURNAL_ENV="production",
        JOURNAL_SECRET_KEY=STRONG_KEY,
    )

    result = journal("demo", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "refusing" in result.stderr
    assert not (tmp_path / "x.db").exists()


# --- serve ------------------------------------------------------------------------------


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_python_m_app_serves_the_api_on_a_port(migrated: tuple[Path, str], tmp_path: Path) -> None:
    _, url = migrated
    port = free_port()
    env = clean_env(url, JOURNAL_ENV="production", JOURNAL_SECRET_KEY=STRONG_KEY)
    server = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                ready = httpx.get(f"{base}/readyz", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert ready.status_code == 200
        refused = httpx.get(f"{base}/v1/me", timeout=2)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.headers["x-request-id"]
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=20)
    # JSON log lines on standard error, one per request, without an access log of uvicorn's.
    assert b'"route": "/readyz"' in stderr
    assert b'"status": 401' in stderr


@pytest.mark.parametrize("port", ["0", "99999", "-1"])
def test_serve_refuses_a_port_out_of_range(tmp_path: Path, port: str) -> None:
    result = journal(
        "serve", "--port", port, env=clean_env(f"sqlite+aiosqlite:///{tmp_path}/p.db"), cwd=tmp_path
    )
    assert result.returncode == 2
    assert "not a TCP port" in result.stderr or "invalid" in result.stderr


def test_serve_help_shows_the_defaults(tmp_path: Path) -> None:
    result = journal("serve", "--help", env=clean_env("sqlite+aiosqlite:///x.db"), cwd=tmp_path)
    assert result.returncode == 0
    assert "default: 8000" in result.stdout and "default: 127.0.0.1" in result.stdout


def test_migrate_against_a_database_that_does_not_exist_says_so_in_one_line(
    tmp_path: Path, database_url: str, is_postgres: bool
) -> None:
    if is_postgres:
        url = database_url.rsplit("/", 1)[0] + "/journal_never_created_here"
    else:
        url = f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/journal.db"
    result = journal("migrate", env=clean_env(url), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("journal: cannot migrate:")
    assert "Traceback" not in result.stderr


def test_commands_that_sign_no_token_do_not_warn_about_the_secret_key(tmp_path: Path) -> None:
    result = journal("migrate", env=clean_env(f"sqlite+aiosqlite:///{tmp_path}/k.db"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "JOURNAL_SECRET_KEY" not in result.stderr
