"""Fixtures of the process-level tests, loaded for every test module (see conftest)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.migrations import upgrade_to_head
from tests.faults.postgres import scratch_database


@pytest.fixture(params=["sqlite", "postgresql"])
def fault_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str, is_postgres: bool
) -> Iterator[str]:
    """A migrated database of the test's own: a SQLite file always, and a scratch database
    on the test PostgreSQL server when JOURNAL_TEST_DATABASE_URL points at one."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path}/fault.db"
        upgrade_to_head(url)
        yield url
        return
    if not is_postgres:
        pytest.skip("set JOURNAL_TEST_DATABASE_URL to a PostgreSQL database to run this")
    with scratch_database(database_url) as url:
        upgrade_to_head(url)
        yield url
