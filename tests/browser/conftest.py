"""Browser tests: the real service (`journal serve` on a free port, a demo clinic in a
temporary SQLite file) driven by Debian's Chromium through Playwright, with axe-core."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from app.seed import DEMO_DOMAIN, DEMO_PASSWORD
from tests.faults.server import Server, server_environment

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_HINT = (
    "install it with `apt-get install -y chromium`, and axe-core with "
    "`npm ci --prefix tests/browser`"
)


def require_browser() -> None:
    """Skip (or, with JOURNAL_REQUIRE_BROWSER=1 as in .ci/run, fail) without Chromium."""
    missing = [str(path) for path in (CHROMIUM, AXE) if not path.exists()]
    if not missing:
        return
    message = f"browser tests need {', '.join(missing)}: {INSTALL_HINT}"
    if os.environ.get("JOURNAL_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class Clinic:
    base_url: str
    server: Server
    database: Path

    def console(self, path: str = "/") -> str:
        return f"{self.base_url}/console{path}"


def login(name: str) -> tuple[str, str]:
    return f"{name}@{DEMO_DOMAIN}", DEMO_PASSWORD


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    require_browser()
    workdir = tmp_path_factory.mktemp("console")
    database = workdir / "clinic.db"
    url = f"sqlite+aiosqlite:///{database}"
    demo = subprocess.run(
        [sys.executable, "-m", "app", "demo"],
        env=server_environment(url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr
    server = Server(url, workdir)
    server.start()
    try:
        asyncio.run(server.wait_ready())
        yield Clinic(server.base_url, server, database)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(clinic: Clinic) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        yield chromium
        chromium.close()
