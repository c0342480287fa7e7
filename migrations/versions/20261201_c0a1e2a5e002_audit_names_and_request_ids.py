"""Audit events keep the actor's name as it was and a server-made request id.

Revision ID: c0a1e2a5e002
Revises: c0a1e2a5e001
Create Date: 2026-12-01 23:20:00+00:00
"""

from collections.abc import Sequence

revision: str = "c0a1e2a5e002"
down_revision: str | None = "c0a1e2a5e001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Filled in by the hardening work."""


def downgrade() -> None:
    """Filled in by the hardening work."""
