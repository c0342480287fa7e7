"""Assessments, assessment schedules and experience reports.

Participant-owned, keyed by (participant_id, id); a client-made id is also unique on its own,
so that one participant's id never becomes another's record.

Revision ID: c0a1e2a5e009
Revises: c0a1e2a5e008
Create Date: 2026-12-07 21:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "c0a1e2a5e009"
down_revision: str | None = "c0a1e2a5e008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_schedules",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("every_days", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "every_days BETWEEN 1 AND 90", name=op.f("ck_assessment_schedules_every_days_range")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_assessment_schedules_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "participant_id", "instrument", name=op.f("pk_assessment_schedules")
        ),
    )
    op.create_table(
        "assessments",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("instrument", sa.String(length=16), nullable=False),
        sa.Column("version", sa.SmallInteger(), nullable=False),
        sa.Column("completed_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("utc_offset_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("total", sa.SmallInteger(), nullable=False),
        sa.Column("band", sa.String(length=40), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("total >= 0", name=op.f("ck_assessments_total_not_negative")),
        sa.CheckConstraint(
            "utc_offset_minutes BETWEEN -1440 AND 1440", name=op.f("ck_assessments_offset_range")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_assessments_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", "id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assessments_participant_id_completed_at",
            ["participant_id", "completed_at", "id"],
            unique=False,
        )
        batch_op.create_index("uq_assessments_id", ["id"], unique=True)

    op.create_table(
        "experience_reports",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("occurred_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("utc_offset_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "severity IN ('mild', 'moderate', 'severe')",
            name=op.f("ck_experience_reports_severity_known"),
        ),
        sa.CheckConstraint(
            "utc_offset_minutes BETWEEN -1440 AND 1440",
            name=op.f("ck_experience_reports_offset_range"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_experience_reports_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", "id", name=op.f("pk_experience_reports")),
    )
    with op.batch_alter_table("experience_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_experience_reports_participant_id_occurred_at",
            ["participant_id", "occurred_at", "id"],
            unique=False,
        )
        batch_op.create_index("uq_experience_reports_id", ["id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("experience_reports", schema=None) as batch_op:
        batch_op.drop_index("uq_experience_reports_id")
        batch_op.drop_index("ix_experience_reports_participant_id_occurred_at")
    op.drop_table("experience_reports")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("uq_assessments_id")
        batch_op.drop_index("ix_assessments_participant_id_completed_at")
    op.drop_table("assessments")
    op.drop_table("assessment_schedules")
