"""What ships: the runtime lock holds no development tool, both locks agree, and the Docker
image installs the project (not editable) from the runtime lock only."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_TOOLS = {
    "pytest",
    "pytest-asyncio",
    "mypy",
    "ruff",
    "schemathesis",
    "hypothesis",
    "openapi-python-client",
    "import-linter",
}


def pins(name: str) -> dict[str, str]:
    lines = (ROOT / name).read_text().splitlines()
    pairs = [line.split("==") for line in lines if line and not line.startswith("#")]
    return {package.lower(): version for package, version in pairs}


def test_the_runtime_lock_holds_no_development_tool() -> None:
    assert DEV_TOOLS & set(pins("requirements.lock")) == set()
    assert set(pins("requirements-dev.lock")) >= DEV_TOOLS


def test_the_development_lock_pins_the_runtime_set_at_the_same_versions() -> None:
    runtime, development = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {name: development.get(name) for name in runtime} == runtime


def test_the_image_installs_the_project_from_the_runtime_lock_only() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = re.findall(r"pip install[^\n&]*", dockerfile)
    assert installs == [
        "pip install --no-cache-dir -r requirements.lock",
        "pip install --no-cache-dir --no-deps . ",
    ]
    assert "-e" not in " ".join(installs).split()
    assert "requirements-dev.lock" not in dockerfile
