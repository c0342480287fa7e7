"""Journal counters remember an erased participant, so a racing write cannot resurrect them.

Revision ID: c0a1e2a5e001
Revises: ba6f3dacb3f1
Create Date: 2026-12-01 23:20:00+00:00
"""

from collections.abc import Sequence

revision: str = "c0a1e2a5e001"
down_revision: str | None = "ba6f3dacb3f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Filled in by the hardening work."""


def downgrade() -> None:
    """Filled in by the hardening work."""
