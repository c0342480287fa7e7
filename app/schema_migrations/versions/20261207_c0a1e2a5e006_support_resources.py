"""The clinic's support contacts: one row, set by an admin; empty until then.

Revision ID: c0a1e2a5e006
Revises: c0a1e2a5e005
Create Date: 2026-12-07 19:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "c0a1e2a5e006"
down_revision: str | None = "c0a1e2a5e005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "support_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("resources", sa.JSON(), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_support_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_settings")),
    )


def downgrade() -> None:
    op.drop_table("support_settings")
