"""Write the app's OpenAPI document to docs/openapi.json: sorted keys, indented, UTF-8.

    .venv/bin/python scripts/export_openapi.py           # regenerate the snapshot
    .venv/bin/python scripts/export_openapi.py --check   # exit 1 if it is out of date

Run it after changing a route or a schema, and commit the result with the change:
tests/test_openapi_snapshot.py fails while the snapshot differs from what the app serves.
The document does not depend on settings or on a database; building the app opens neither.
"""

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from app.config import Settings
from app.main import create_app

SNAPSHOT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def render(document: dict[str, Any]) -> str:
    """The snapshot's text for a document: the one format the file is written in."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def app_document() -> dict[str, Any]:
    # A throwaway key: nothing is signed, and the app is never started.
    settings = Settings(secret_key=SecretStr("openapi-export-" + "0123456789abcdef" * 3))
    document: dict[str, Any] = create_app(settings).openapi()
    return document


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the snapshot is stale")
    parser.add_argument("--output", type=Path, default=SNAPSHOT, help="where to write it")
    args = parser.parse_args(argv)
    text = render(app_document())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: run scripts/export_openapi.py", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
