"""Journal entries with their per-participant change sequence, care assignments and review marks.

Revision ID: adbbbcf926ab
Revises: b187bde73e08
Create Date: 2026-11-25 19:40:57.351233+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "adbbbcf926ab"
down_revision: str | None = "b187bde73e08"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "care_assignments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("assigned_by", sa.Uuid(), nullable=True),
        sa.Column("ended_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assigned_by"],
            ["users.id"],
            name=op.f("fk_care_assignments_assigned_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["users.id"],
            name=op.f("fk_care_assignments_clinician_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"],
            ["users.id"],
            name=op.f("fk_care_assignments_ended_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_care_assignments_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_assignments")),
    )
    with op.batch_alter_table("care_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_assignments_clinician_id_ended_at", ["clinician_id", "ended_at"], unique=False
        )
        batch_op.create_index(
            "ix_care_assignments_participant_id_started_at",
            ["participant_id", "started_at"],
            unique=False,
        )
        batch_op.create_index(
            "uq_care_assignments_open_participant",
            ["participant_id"],
            unique=True,
            postgresql_where=sa.text("ended_at IS NULL"),
            sqlite_where=sa.text("ended_at IS NULL"),
        )

    op.create_table(
        "journal_counters",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("last_change_seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_journal_counters_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_journal_counters")),
    )
    op.create_table(
        "journal_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("utc_offset_minutes", sa.SmallInteger(), nullable=True),
        sa.Column("local_date", sa.Date(), nullable=True),
        sa.Column("mood", sa.SmallInteger(), nullable=True),
        sa.Column("focus", sa.SmallInteger(), nullable=True),
        sa.Column("anxiety", sa.SmallInteger(), nullable=True),
        sa.Column("creativity", sa.SmallInteger(), nullable=True),
        sa.Column("connection", sa.SmallInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("tags", sa.String(length=340), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "anxiety BETWEEN 0 AND 10", name=op.f("ck_journal_entries_anxiety_range")
        ),
        sa.CheckConstraint(
            "connection BETWEEN 0 AND 10", name=op.f("ck_journal_entries_connection_range")
        ),
        sa.CheckConstraint(
            "creativity BETWEEN 0 AND 10", name=op.f("ck_journal_entries_creativity_range")
        ),
        sa.CheckConstraint(
            "deleted_at IS NOT NULL OR (mood IS NOT NULL AND focus IS NOT NULL AND anxiety IS NOT NULL AND recorded_at IS NOT NULL AND local_date IS NOT NULL)",
            name=op.f("ck_journal_entries_live_entry_complete"),
        ),
        sa.CheckConstraint("focus BETWEEN 0 AND 10", name=op.f("ck_journal_entries_focus_range")),
        sa.CheckConstraint("mood BETWEEN 0 AND 10", name=op.f("ck_journal_entries_mood_range")),
        sa.CheckConstraint(
            "utc_offset_minutes BETWEEN -1440 AND 1440",
            name=op.f("ck_journal_entries_offset_range"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_journal_entries_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journal_entries_participant_id_local_date",
            ["participant_id", "local_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_journal_entries_participant_id_recorded_at",
            ["participant_id", "recorded_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "uq_journal_entries_participant_id_change_seq",
            ["participant_id", "change_seq"],
            unique=True,
        )

    op.create_table(
        "review_marks",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("reviewed_through", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["users.id"],
            name=op.f("fk_review_marks_clinician_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_review_marks_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", "clinician_id", name=op.f("pk_review_marks")),
    )


def downgrade() -> None:
    op.drop_table("review_marks")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index("uq_journal_entries_participant_id_change_seq")
        batch_op.drop_index("ix_journal_entries_participant_id_recorded_at")
        batch_op.drop_index("ix_journal_entries_participant_id_local_date")

    op.drop_table("journal_entries")
    op.drop_table("journal_counters")
    with op.batch_alter_table("care_assignments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_care_assignments_open_participant",
            postgresql_where=sa.text("ended_at IS NULL"),
            sqlite_where=sa.text("ended_at IS NULL"),
        )
        batch_op.drop_index("ix_care_assignments_participant_id_started_at")
        batch_op.drop_index("ix_care_assignments_clinician_id_ended_at")

    op.drop_table("care_assignments")
