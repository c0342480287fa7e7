"""The README's curl sections run as written, in order, twice, against a live demo clinic.

Each block is taken from the README itself; `curl` is wrapped so that any HTTP error fails
the run (the README's own blocks stay plain `curl -s`)."""

import asyncio
import re
import subprocess
import sys
from pathlib import Path

from tests.faults.server import Server, server_environment

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## Main flows with curl"
STRICT_CURL = """
set -euo pipefail
curl() { command curl --fail-with-body --max-time 20 "$@"; echo; }
"""


def readme_flow_blocks() -> list[str]:
    text = README.read_text()
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    return re.findall(r"```sh\n(.*?)```", text[start:end], flags=re.DOTALL)


def test_the_readme_curl_section_has_its_blocks() -> None:
    blocks = readme_flow_blocks()
    assert len(blocks) >= 4
    assert "BASE=" in blocks[0]


async def test_readme_curl_blocks_run_in_order_twice_against_a_live_server(tmp_path: Path) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path}/readme.db"
    demo = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app", "demo"],
        cwd=tmp_path,
        env=server_environment(database_url),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr.decode()
    server = Server(database_url, tmp_path)
    await server.start_and_wait()
    try:
        script = STRICT_CURL + "\n".join(readme_flow_blocks())
        for run in (1, 2):
            result = await asyncio.to_thread(
                subprocess.run,
                ["bash", "-c", script],
                cwd=tmp_path,
                env={**server.env, "BASE": server.base_url},
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert result.returncode == 0, (
                f"run {run} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
            )
    finally:
        server.stop()
