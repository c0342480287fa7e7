"""The committed OpenAPI snapshot (docs/openapi.json) is exactly what the running app serves.

After changing a route or a schema: `.venv/bin/python scripts/export_openapi.py`, review the
diff of docs/openapi.json (it is the public contract), and commit both together."""

import difflib
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import httpx

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "docs" / "openapi.json"
REGENERATE = ".venv/bin/python scripts/export_openapi.py"


def export_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "export_openapi", ROOT / "scripts/export_openapi.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def snapshot_diff(served: str, snapshot: str, limit: int = 60) -> str:
    lines = difflib.unified_diff(
        snapshot.splitlines(), served.splitlines(), "docs/openapi.json", "served", lineterm=""
    )
    shown = list(lines)
    more = f"\n... {len(shown) - limit} more lines" if len(shown) > limit else ""
    return "\n".join(shown[:limit]) + more


async def test_served_document_matches_the_committed_snapshot(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    served = export_script().render(response.json())
    snapshot = SNAPSHOT.read_text(encoding="utf-8")
    assert served == snapshot, (
        f"docs/openapi.json is out of date; run `{REGENERATE}` and review the diff:\n"
        + snapshot_diff(served, snapshot)
    )


def test_export_script_writes_what_the_app_builds(tmp_path: Path) -> None:
    script = export_script()
    target = tmp_path / "openapi.json"
    assert script.main(["--output", str(target)]) == 0
    written = target.read_text(encoding="utf-8")
    assert json.loads(written) == script.app_document()
    assert written == script.render(json.loads(written)), "sorted keys, indented, one format"
    assert script.main(["--check", "--output", str(target)]) == 0
    target.write_text(written.replace('"title": "Wellbeing Journal API"', '"title": "x"'))
    assert script.main(["--check", "--output", str(target)]) == 1
