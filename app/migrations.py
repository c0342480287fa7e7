"""Alembic from code: the schema head, and `journal migrate`."""

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

# Inside the package: found wherever it is installed.
SCRIPT_LOCATION = Path(__file__).resolve().parent / "schema_migrations"


def alembic_config(database_url: str | None = None) -> Config:
    """Alembic's configuration for the app's own use (no `alembic.ini` needed: that file is
    for developers running the `alembic` command in a checkout)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("path_separator", "os")
    if database_url is not None:
        config.attributes["database_url"] = database_url
    return config


@lru_cache
def schema_heads() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def upgrade_to_head(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")
