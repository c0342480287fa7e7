"""Whether the database can serve: it answers, and its schema is at the latest migration."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.errors import is_database_unavailable
from app.migrations import schema_heads


async def schema_problem(engine: AsyncEngine, *, strict: bool = False) -> str | None:
    """Why the database cannot serve this version of the app, or None when it can.

    `strict`: an unreachable database raises instead (the caller tells an outage from a
    missing schema)."""
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            versions = frozenset(row[0] for row in rows)
    except Exception as exc:
        if strict and is_database_unavailable(exc):
            raise
        # Unreachable, or never migrated (no `alembic_version` table): not ready either way.
        return "The database is unreachable or not migrated; run `journal migrate`."
    if versions != schema_heads():
        return "The database schema is not at the latest migration; run `journal migrate`."
    return None
