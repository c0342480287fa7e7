"""Failed sign-in counting in the database: per e-mail (existing or not) and per address."""

from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.auth.models import LoginFailure
from app.auth.tokens import hash_secret
from app.config import Settings
from app.errors import TooManyRequests


def email_key(email: str) -> str:
    return hash_secret("login-email", email.strip().lower())


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


async def ensure_not_throttled(
    session: AsyncSession, settings: Settings, email: str, address: str, now: datetime
) -> None:
    """Raise 429 once too many recent failures exist for this e-mail or this address."""
    since = now - settings.login_window
    checks = (
        (LoginFailure.email_hash, email_key(email), settings.login_max_failures_per_email),
        (LoginFailure.client_address, address, settings.login_max_failures_per_address),
    )
    for column, value, limit in checks:
        oldest = await _retry_after(session, column, value, limit, since)
        if oldest is not None:
            wait = (oldest + settings.login_window - now).total_seconds()
            raise TooManyRequests(int(wait) + 1)


async def record_failure(
    session: AsyncSession, settings: Settings, email: str, address: str, now: datetime
) -> None:
    key = email_key(email)
    cutoff = now - settings.login_window
    # Failures older than the window no longer count; drop those of this e-mail and of this
    # address (both indexed), so that guessing many e-mails does not grow the table forever.
    for column, value in ((LoginFailure.email_hash, key), (LoginFailure.client_address, address)):
        await session.execute(
            delete(LoginFailure).where(column == value, LoginFailure.failed_at <= cutoff)
        )
    await session.execute(
        insert(LoginFailure).values(email_hash=key, client_address=address, failed_at=now)
    )
