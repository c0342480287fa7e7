"""Alembic revisions, oldest first by date."""
