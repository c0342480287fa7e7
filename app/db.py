"""Database: declarative base, engine construction and the per-request session."""

import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import DateTime, MetaData, Table, event
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from app.config import Settings
from app.errors import AppError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# In a model's `__table_args__`: its rows belong to one participant (a `participant_id`
# column) and are reached only through a scope of app.access.
PARTICIPANT_OWNED: dict[str, Any] = {"info": {"participant_owned": True}}


def participant_owned_tables() -> list[Table]:
    """Every table whose rows belong to one participant."""
    return [t for t in Base.metadata.sorted_tables if t.info.get("participant_owned")]


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database: SQLite keeps no offset, so we restore it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def upsert_into(
    target: AsyncSession | str, model: type[Base] | Table
) -> PostgresInsert | SQLiteInsert:
    """An INSERT that can take `.on_conflict_do_update()`, for the session's database (or
    the dialect named)."""
    name = target if isinstance(target, str) else dialect_name(target)
    if name == "postgresql":
        return postgres_insert(model)
    return sqlite_insert(model)


def create_engine(settings: Settings) -> AsyncEngine:
    if settings.is_sqlite:
        # One connection per process: SQLite has one writer, and a pool of them only
        # queues on the file lock (measured: 1 s p99 with 15 connections, 31 ms with one).
        engine = create_async_engine(
            settings.database_url,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            hide_parameters=True,
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    engine = create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        hide_parameters=True,
        pool_recycle=1800,
        connect_args=asyncpg_connect_args(settings),
    )
    _ping_after_idle(engine, settings.db_ping_after_idle_seconds)
    return engine


def _ping_after_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Check a pooled connection before use only when it has sat idle for a while.

    `pool_pre_ping` pings on every checkout, which with asyncpg is three round trips
    (BEGIN, a query, ROLLBACK) and cost 38% of the entry POST's throughput. A busy
    connection is proven by its last request; an idle one is where a database restart or
    a dropped TCP connection hides. A connection that dies while busy fails its request
    (503), and SQLAlchemy then discards every older connection of the pool.
    """
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def on_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            # The pool replaces the connection and tries again (up to three times).
            raise DisconnectionError("stale pooled connection") from exc


def asyncpg_connect_args(settings: Settings) -> dict[str, Any]:
    """Timeouts, and the statement caches (off behind PgBouncer's transaction pooling)."""
    if not settings.database_url.startswith("postgresql+asyncpg"):
        return {}
    args: dict[str, Any] = {
        "timeout": settings.db_connect_timeout_seconds,
        "command_timeout": settings.db_command_timeout_seconds,
        # asyncpg's own cache, and the one SQLAlchemy's asyncpg adapter keeps on top of it.
        "statement_cache_size": settings.db_statement_cache_size,
        "prepared_statement_cache_size": settings.db_statement_cache_size,
    }
    if settings.db_statement_cache_size == 0:
        # Without a cache, names must still be unique across the server connections a
        # transaction-mode PgBouncer hands us, or two clients' statements would collide.
        args["prepared_statement_name_func"] = _unique_statement_name
    return args


def _unique_statement_name() -> str:
    return f"__asyncpg_{uuid.uuid4().hex}__"


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let us issue BEGIN ourselves (below), so that the driver does not defer it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a deferred transaction that later
        # writes can fail with "database is locked" without waiting for busy_timeout.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session and transaction per request, committed before the response is sent.

    Used with `scope="function"`, so the code after `yield` runs before the response goes
    out. Errors that must still keep their writes (a failed sign-in is counted and audited)
    set `AppError.keep_changes`.
    """
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except AppError as exc:
            if exc.keep_changes:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
