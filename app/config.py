"""Settings: one class, read from `JOURNAL_*` environment variables (and `.env`)."""

import ipaddress
import logging
import secrets
from datetime import timedelta
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import Depends, Request
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

logger = logging.getLogger("app.config")

MIN_SECRET_BYTES = 32
MIN_SECRET_DISTINCT_CHARACTERS = 8
PLACEHOLDER_SECRETS = frozenset(
    {
        "changeme",
        "change-me",
        "changethis",
        "secret",
        "your-secret-key",
        "dev",
        "development",
        "test",
        "password",
    }
)


class InsecureSettingsError(RuntimeError):
    """The configuration must not be used in production."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="JOURNAL_", env_file=".env", extra="ignore", frozen=True
    )

    env: Literal["development", "production"] = "development"
    database_url: str = "sqlite+aiosqlite:///./journal.db"
    secret_key: SecretStr | None = None
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    jwt_issuer: str = "wellbeing-journal"
    jwt_audience: str = "wellbeing-journal-api"
    access_token_minutes: int = Field(default=15, ge=1, le=60)
    participant_refresh_idle_days: int = Field(default=30, ge=1)
    participant_refresh_absolute_days: int = Field(default=90, ge=1)
    staff_refresh_idle_minutes: int = Field(default=30, ge=1)
    staff_refresh_absolute_hours: int = Field(default=12, ge=1)
    activation_code_days: int = Field(default=7, ge=1, le=30)
    # A refresh whose answer was lost (a phone in a lift) is retried with the same token:
    # within this many seconds of its use that returns the same new pair, not a revocation.
    # At most a minute: shorter than the shortest access-token lifetime, so the pair given
    # again still holds a live access token.
    refresh_reuse_grace_seconds: float = Field(default=30, ge=0, le=60)
    # The sweeper (escalations, missed check-ins): every this many seconds inside `journal
    # serve`; 0 leaves it to a separate `journal sweep` process. Work per transaction is
    # bounded by the batch size.
    sweep_interval_seconds: float = Field(default=60, ge=0, le=3600)
    sweep_batch_size: int = Field(default=500, ge=1, le=10000)

    # Webhook URLs may be `http` and reach loopback, private, link-local or metadata
    # addresses: for development and tests only (else refused at creation and delivery).
    webhook_allow_private_urls: bool = False
    # Webhook delivery inside `journal serve` (when it runs the sweeper): every this many
    # seconds, so that an event reaches its endpoints about this long after its commit.
    webhook_relay_interval_seconds: float = Field(default=1, ge=0.05, le=3600)

    # Participants whose drawn caseload sparklines each process keeps (~1 kB each; 0: none,
    # every caseload page reads and draws every line).
    console_sparkline_cache_size: int = Field(default=20_000, ge=0, le=1_000_000)

    login_window_minutes: int = Field(default=15, ge=1)
    login_max_failures_per_email: int = Field(default=10, ge=1)
    login_max_failures_per_address: int = Field(default=100, ge=1)
    # Sign-ins, activations and password changes hashing (or waiting to) at once in one
    # process; more get 503 with Retry-After before any Argon2 work. Unbounded, a flood of
    # unknown e-mails queued dummy verifications ahead of real sign-ins (39 -> 620 ms).
    password_hashing_queue_max: int = Field(default=8, ge=1, le=1000)
    # Two-person rule: recovering an activated participant's account, and assigning a
    # participant to a clinician account less than 24 hours old, wait for a second admin.
    second_admin_approval: bool = False

    db_pool_size: int = Field(default=5, ge=1, le=50)
    db_max_overflow: int = Field(default=2, ge=0, le=50)
    # Bounds on waiting for PostgreSQL, so that an outage is a quick 503, never a hang:
    # for a pooled connection, for a new connection, and for one statement.
    db_pool_timeout_seconds: float = Field(default=10, gt=0)
    db_connect_timeout_seconds: float = Field(default=5, gt=0)
    db_command_timeout_seconds: float = Field(default=30, gt=0)
    # asyncpg's prepared-statement cache per connection; 0 behind PgBouncer in transaction
    # pooling mode, where a connection's prepared statements do not follow the client.
    db_statement_cache_size: int = Field(default=100, ge=0)
    # A pooled connection idle for longer than this is pinged before use.
    db_ping_after_idle_seconds: float = Field(default=5, ge=0)
    sqlite_busy_timeout_ms: int = Field(default=10_000, ge=0)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Transport limits of `journal serve` (app/server.py); uvicorn alone has none of the first
    # three: a 32 MB header got 200 and a half-sent request held its connection for ever.
    # The request line and headers, as sent; more is 431 and the connection closed.
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    # From a connection's first byte (or the end of the previous response) to the end of the
    # headers, and from there to the end of the body; past either the connection is closed.
    header_timeout_seconds: float = Field(default=10, gt=0)
    body_timeout_seconds: float = Field(default=30, gt=0)
    # Open connections (and requests in progress) per process past which a request is 503.
    max_connections: int = Field(default=1000, ge=1)
    keep_alive_seconds: int = Field(default=5, ge=1, le=3600)
    # Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IPs or CIDRs, comma-
    # separated). None by default: uvicorn's own default trusts 127.0.0.1, which let any local
    # caller choose the address it is throttled and audited under.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Exports running at once for one account, in one process: each is a stream that a
    # client can keep open, so one account must not be able to open them without bound.
    export_max_concurrent_per_account: int = Field(default=2, ge=1, le=100)
    # A streamed body whose client accepts no data for this long is stopped and its
    # connection closed: a reader that never reads must not keep a stream for ever.
    stream_send_timeout_seconds: float = Field(default=30, gt=0)
    metrics_enabled: bool = False
    log_level: str = "INFO"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [proxy.strip() for proxy in value.split(",") if proxy.strip()]
        if isinstance(value, list):
            for proxy in value:
                # An address or a network; "*" (trust anyone) is refused on purpose.
                ipaddress.ip_network(str(proxy), strict=False)
        return value

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def access_token_ttl(self) -> timedelta:
        return timedelta(minutes=self.access_token_minutes)

    @property
    def login_window(self) -> timedelta:
        return timedelta(minutes=self.login_window_minutes)

    def refresh_lifetimes(self, role: str) -> tuple[timedelta, timedelta]:
        """(idle, absolute) refresh lifetimes: long on the mobile app, short for staff."""
        if role == "participant":
            return (
                timedelta(days=self.participant_refresh_idle_days),
                timedelta(days=self.participant_refresh_absolute_days),
            )
        return (
            timedelta(minutes=self.staff_refresh_idle_minutes),
            timedelta(hours=self.staff_refresh_absolute_hours),
        )

    def signing_key(self) -> str:
        if self.secret_key is None:
            raise InsecureSettingsError("JOURNAL_SECRET_KEY is not set")
        return self.secret_key.get_secret_value()


def _is_repetitive(key: str) -> bool:
    """A short pattern repeated (`changeme-changeme-…`), or hardly any distinct characters."""
    if len(set(key)) < MIN_SECRET_DISTINCT_CHARACTERS:
        return True
    # Periodic: the key equals itself shifted by p characters, for a p of at most half.
    return any(key[p:] == key[:-p] for p in range(1, len(key) // 2 + 1))


def check_production_safety(settings: Settings) -> None:
    """Refuse a production configuration whose secret key is missing, a placeholder or weak."""
    if settings.env != "production":
        return
    if settings.secret_key is None:
        raise InsecureSettingsError("JOURNAL_SECRET_KEY must be set when JOURNAL_ENV=production")
    key = settings.secret_key.get_secret_value()
    if key.strip().lower() in PLACEHOLDER_SECRETS:
        raise InsecureSettingsError("JOURNAL_SECRET_KEY is a placeholder value")
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise InsecureSettingsError(
            f"JOURNAL_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes in production"
        )
    if _is_repetitive(key):
        raise InsecureSettingsError(
            "JOURNAL_SECRET_KEY is too repetitive to be a random key; make one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`"
        )


def load_settings(*, signs_tokens: bool = True) -> Settings:
    """The settings, checked. `signs_tokens=False` for commands that never sign or check a
    token (migrate, create-admin, demo): no warning about a missing key there."""
    settings = Settings()
    check_production_safety(settings)
    if settings.secret_key is None and signs_tokens:
        logger.warning(
            "JOURNAL_SECRET_KEY is not set: generated a random key for this process only; "
            "tokens will not survive a restart or work across processes"
        )
        settings = settings.model_copy(update={"secret_key": SecretStr(secrets.token_urlsafe(48))})
    return settings


@lru_cache
def get_settings() -> Settings:
    return load_settings()


async def get_app_settings(request: Request) -> Settings:
    """The settings the app was built with (a request's view of them)."""
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
