"""Fixtures of the process-level tests, loaded for every test module (see conftest)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.migrations import upgrade_to_head
from tests.faults.postgres import scratch_database


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_url(
    request: pytest.FixtureRequest, tmp_path: Path, database_url: str, is_postgres: bool
) -> Iterator[str]:
    """An empty database of the test's own, for migration tests: a SQLite file always, and a
    scratch database on the test PostgreSQL server when JOURNAL_TEST_DATABASE_URL points at
    one (dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/test.db"
        return
    if not is_postgres:
        pytest.skip("set JOURNAL_TEST_DATABASE_URL to a PostgreSQL database to run this")
    with scratch_database(database_url) as url:
        yield url


@pytest.fixture
def fault_database_url(unmigrated_url: str) -> str:
    """The same database, migrated to the latest revision: for real server processes."""
    upgrade_to_head(unmigrated_url)
    return unmigrated_url
