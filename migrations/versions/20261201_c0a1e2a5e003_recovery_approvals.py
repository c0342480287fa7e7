"""Account recovery and new-clinician assignments that wait for a second admin.

Revision ID: c0a1e2a5e003
Revises: c0a1e2a5e002
Create Date: 2026-12-01 23:20:00+00:00
"""

from collections.abc import Sequence

revision: str = "c0a1e2a5e003"
down_revision: str | None = "c0a1e2a5e002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Filled in by the hardening work."""


def downgrade() -> None:
    """Filled in by the hardening work."""
