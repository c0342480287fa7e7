"""The per-day rollup of each participant's live entries (`journal_days`), counted once
from the entries already stored; from then on the entry writes keep it.

Revision ID: c0a1e2a5e011
Revises: c0a1e2a5e010
Create Date: 2026-12-08 01:30:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0a1e2a5e011"
down_revision: str | None = "c0a1e2a5e010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIMENSIONS = ("mood", "focus", "anxiety", "creativity", "connection")


def upgrade() -> None:
    figures = []
    for dimension in DIMENSIONS:
        figures += [
            sa.Column(f"{dimension}_count", sa.Integer(), nullable=False),
            sa.Column(f"{dimension}_sum", sa.Integer(), nullable=False),
            sa.Column(f"{dimension}_min", sa.SmallInteger(), nullable=True),
            sa.Column(f"{dimension}_max", sa.SmallInteger(), nullable=True),
        ]
    op.create_table(
        "journal_days",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        *figures,
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_journal_days_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", "local_date", name=op.f("pk_journal_days")),
    )
    counted = ", ".join(
        f"count({d}), coalesce(sum({d}), 0), min({d}), max({d})" for d in DIMENSIONS
    )
    columns = ", ".join(f"{d}_count, {d}_sum, {d}_min, {d}_max" for d in DIMENSIONS)
    op.execute(
        f"INSERT INTO journal_days (participant_id, local_date, entries, {columns}) "  # noqa: S608 - fixed names
        f"SELECT participant_id, local_date, count(*), {counted} FROM journal_entries "
        "WHERE deleted_at IS NULL GROUP BY participant_id, local_date"
    )


def downgrade() -> None:
    op.drop_table("journal_days")
