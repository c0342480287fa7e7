"""Settings: environment variables, production safety checks and derived values."""

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from app.config import InsecureSettingsError, Settings, check_production_safety, load_settings


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No JOURNAL_* variable and no `.env` file: only what the test sets."""
    for name in list(os.environ):
        if name.startswith("JOURNAL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


def production(key: str | None) -> Settings:
    return Settings(env="production", secret_key=None if key is None else SecretStr(key))


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "must be set"),
        ("changeme", "placeholder"),
        ("  Secret ", "placeholder"),
        ("x" * 31, "at least 32 bytes"),
        ("k9-short-but-random", "at least 32 bytes"),
        ("changeme-changeme-changeme-changeme", "repetitive"),
        ("abcd" * 10, "repetitive"),
        ("ab" * 20 + "c", "repetitive"),
    ],
)
def test_production_refuses_a_missing_placeholder_short_or_repetitive_key(
    clean_environment: pytest.MonkeyPatch, key: str | None, message: str
) -> None:
    with pytest.raises(InsecureSettingsError, match=message):
        check_production_safety(production(key))


@pytest.mark.parametrize(
    "key",
    [secrets.token_urlsafe(48), secrets.token_hex(32), secrets.token_hex(16)],
    ids=["urlsafe-48", "hex-32-bytes", "hex-16-bytes"],
)
def test_production_accepts_a_random_key(clean_environment: pytest.MonkeyPatch, key: str) -> None:
    check_production_safety(production(key))


def test_development_tolerates_any_key(clean_environment: pytest.MonkeyPatch) -> None:
    check_production_safety(Settings(env="development", secret_key=SecretStr("dev")))
    check_production_safety(Settings(env="development"))


def test_production_refusal_happens_when_settings_load(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    clean_environment.setenv("JOURNAL_ENV", "production")
    clean_environment.setenv("JOURNAL_SECRET_KEY", "changeme")

    with pytest.raises(InsecureSettingsError):
        load_settings()


def test_development_without_a_key_makes_a_random_one_and_warns(
    clean_environment: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="app.config")

    first, second = load_settings(), load_settings()

    assert len(first.signing_key()) >= 32
    assert first.signing_key() != second.signing_key()
    assert "JOURNAL_SECRET_KEY is not set" in caplog.text


def test_settings_come_from_journal_variables(clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("JOURNAL_DATABASE_URL", "postgresql+asyncpg://u@db/journal")
    clean_environment.setenv("JOURNAL_ACCESS_TOKEN_MINUTES", "5")
    clean_environment.setenv("JOURNAL_LOGIN_MAX_FAILURES_PER_EMAIL", "3")
    clean_environment.setenv("JOURNAL_CORS_ORIGINS", "https://dash.example, https://b.example,")
    clean_environment.setenv("DATABASE_URL", "sqlite+aiosqlite:///ignored.db")

    settings = Settings()

    assert settings.database_url == "postgresql+asyncpg://u@db/journal"
    assert not settings.is_sqlite
    assert settings.access_token_ttl == timedelta(minutes=5)
    assert settings.login_max_failures_per_email == 3
    assert settings.cors_origins == ["https://dash.example", "https://b.example"]


def test_settings_are_read_from_a_dotenv_file(clean_environment: pytest.MonkeyPatch) -> None:
    Path(".env").write_text("JOURNAL_STAFF_REFRESH_IDLE_MINUTES=10\n")

    assert Settings().staff_refresh_idle_minutes == 10


def test_defaults_are_a_local_sqlite_file_in_development(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    settings = Settings()

    assert settings.env == "development"
    assert settings.is_sqlite
    assert settings.database_url == "sqlite+aiosqlite:///./journal.db"
    assert settings.cors_origins == []
    assert settings.max_body_bytes == 1024 * 1024


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JOURNAL_ENV", "prod"),
        ("JOURNAL_ACCESS_TOKEN_MINUTES", "0"),
        ("JOURNAL_ACCESS_TOKEN_MINUTES", "61"),
        ("JOURNAL_LOGIN_MAX_FAILURES_PER_EMAIL", "0"),
        ("JOURNAL_MAX_BODY_BYTES", "10"),
    ],
)
def test_out_of_range_settings_are_refused(
    clean_environment: pytest.MonkeyPatch, name: str, value: str
) -> None:
    clean_environment.setenv(name, value)

    with pytest.raises(ValidationError):
        Settings()


def test_refresh_lifetimes_are_long_for_participants_and_short_for_staff(
    clean_environment: pytest.MonkeyPatch,
) -> None:
    settings = Settings()

    assert settings.refresh_lifetimes("participant") == (timedelta(days=30), timedelta(days=90))
    for role in ("clinician", "admin"):
        assert settings.refresh_lifetimes(role) == (timedelta(minutes=30), timedelta(hours=12))


def test_secret_key_is_hidden_from_repr(clean_environment: pytest.MonkeyPatch) -> None:
    key = secrets.token_urlsafe(48)

    settings = Settings(secret_key=SecretStr(key))

    assert key not in repr(settings)
    assert key not in str(settings.model_dump())


def test_signing_key_without_a_key_is_an_error(clean_environment: pytest.MonkeyPatch) -> None:
    with pytest.raises(InsecureSettingsError):
        Settings().signing_key()
