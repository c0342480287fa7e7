"""Backup clinicians, their coverings from escalation to resolution, and domain events
(alert transitions, recorded for a later publisher).

Revision ID: c0a1e2a5e008
Revises: c0a1e2a5e007
Create Date: 2026-12-07 20:12:49.508861+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "c0a1e2a5e008"
down_revision: str | None = "c0a1e2a5e007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "domain_events",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("occurred_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_domain_events_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", "id", name=op.f("pk_domain_events")),
        info={"participant_owned": True},
    )
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_domain_events_occurred_at_id", ["occurred_at", "id"], unique=False
        )

    op.create_table(
        "care_backups",
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
            name=op.f("fk_care_backups_assigned_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"],
            ["users.id"],
            name=op.f("fk_care_backups_clinician_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"],
            ["users.id"],
            name=op.f("fk_care_backups_ended_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_care_backups_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_backups")),
    )
    with op.batch_alter_table("care_backups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_backups_clinician_id_ended_at", ["clinician_id", "ended_at"], unique=False
        )
        batch_op.create_index(
            "ix_care_backups_participant_id_started_at",
            ["participant_id", "started_at"],
            unique=False,
        )
        batch_op.create_index(
            "uq_care_backups_open_participant",
            ["participant_id"],
            unique=True,
            postgresql_where=sa.text("ended_at IS NULL"),
            sqlite_where=sa.text("ended_at IS NULL"),
        )

    op.create_table(
        "care_coverings",
        sa.Column("alert_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_care_coverings_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", name=op.f("pk_care_coverings")),
    )
    with op.batch_alter_table("care_coverings", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_coverings_participant_id_open",
            ["participant_id"],
            unique=False,
            postgresql_where=sa.text("ended_at IS NULL"),
            sqlite_where=sa.text("ended_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("care_coverings", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_care_coverings_participant_id_open",
            postgresql_where=sa.text("ended_at IS NULL"),
            sqlite_where=sa.text("ended_at IS NULL"),
        )

    op.drop_table("care_coverings")
    with op.batch_alter_table("care_backups", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_care_backups_open_participant",
            postgresql_where=sa.text("ended_at IS NULL"),
            sqlite_where=sa.text("ended_at IS NULL"),
        )
        batch_op.drop_index("ix_care_backups_participant_id_started_at")
        batch_op.drop_index("ix_care_backups_clinician_id_ended_at")

    op.drop_table("care_backups")
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.drop_index("ix_domain_events_occurred_at_id")

    op.drop_table("domain_events")
