"""Failed sign-in counting in the database: per e-mail (existing or not) and per address.

An attempt is counted *before* its password is checked: `reserve_attempt` records it as a
failure, under a lock, once it has seen the limits are not reached; a successful attempt
then takes its row back with `release_attempt`. Checking first and recording after the
Argon2 wait let 100 simultaneous guesses at one account all be checked (limit 10).
"""

import hashlib
import uuid
from datetime import datetime

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.auth.models import LoginFailure
from app.auth.tokens import hash_secret
from app.config import Settings
from app.db import dialect_name
from app.errors import TooManyRequests
from app.users.emails import normalize_email

_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


def email_key(email: str) -> str:
    return hash_secret("login-email", normalize_email(email))


def _lock_key(kind: str, value: str) -> int:
    """A signed 64-bit advisory-lock key for one throttle bucket."""
    digest = hashlib.sha256(f"login-throttle:{kind}:{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def _lock_buckets(session: AsyncSession, email_hash: str, address: str) -> None:
    """Hold both buckets until the transaction ends, so that of concurrent attempts each
    counts the ones reserved before it.

    PostgreSQL: transaction-scoped advisory locks, taken in key order so that two attempts
    sharing one bucket cannot deadlock. SQLite: `BEGIN IMMEDIATE` already holds the
    database's only write lock for the whole transaction."""
    if dialect_name(session) != "postgresql":
        return
    for key in sorted({_lock_key("email", email_hash), _lock_key("address", address)}):
        await session.execute(_ADVISORY_LOCK, {"key": key})


async def _retry_after(
    session: AsyncSession,
    column: InstrumentedAttribute[str],
    value: str,
    limit: int,
    since: datetime,
) -> datetime | None:
    """When the oldest counted failure leaves the window, if `limit` is reached; else None."""
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(LoginFailure.failed_at)).where(
                column == value,
                LoginFailure.failed_at > since,
            )
        )
    ).one()
    return oldest if count >= limit and oldest is not None else None


async def reserve_attempt(
    session: AsyncSession, settings: Settings, email: str, address: str, now: datetime
) -> uuid.UUID:
    """Count one attempt for this e-mail and this address, as a failure until released.

    Raises 429 (with `Retry-After`) instead when either limit is already reached. The
    caller commits before any slow check, so that concurrent attempts see this one."""
    key = email_key(email)
    await _lock_buckets(session, key, address)
    since = now - settings.login_window
    checks = (
        (LoginFailure.email_hash, key, settings.login_max_failures_per_email),
        (LoginFailure.client_address, address, settings.login_max_failures_per_address),
    )
    for column, value, limit in checks:
        oldest = await _retry_after(session, column, value, limit, since)
        if oldest is not None:
            wait = (oldest + settings.login_window - now).total_seconds()
            raise TooManyRequests(int(wait) + 1)
    # Failures older than the window no longer count; drop those of this e-mail and of this
    # address (both indexed), so that guessing many e-mails does not grow the table forever.
    for column, value in ((LoginFailure.email_hash, key), (LoginFailure.client_address, address)):
        await session.execute(
            delete(LoginFailure).where(column == value, LoginFailure.failed_at <= since)
        )
    attempt_id = uuid.uuid4()
    await session.execute(
        insert(LoginFailure).values(
            id=attempt_id, email_hash=key, client_address=address, failed_at=now
        )
    )
    return attempt_id


async def release_attempt(session: AsyncSession, attempt_id: uuid.UUID) -> None:
    """The attempt succeeded: it no longer counts as a failure."""
    await session.execute(delete(LoginFailure).where(LoginFailure.id == attempt_id))
