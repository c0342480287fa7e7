"""Webhook deliveries: one row per (endpoint, event) and how its sending went; and the mark
on each domain event that the fan-out has turned it into deliveries.

Revision ID: c0a1e2a5e014
Revises: c0a1e2a5e013
Create Date: 2026-12-08 01:51:38.702792+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "c0a1e2a5e014"
down_revision: str | None = "c0a1e2a5e013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("endpoint_id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("event_occurred_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("delivered_at", app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'delivered', 'failed')",
            name=op.f("ck_webhook_deliveries_status"),
        ),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_webhook_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_webhook_deliveries_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("sequence", name=op.f("uq_webhook_deliveries_sequence")),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_endpoint_id_created_at_id",
            ["endpoint_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_webhook_deliveries_endpoint_id_status_sequence",
            ["endpoint_id", "status", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_participant_id"), ["participant_id"], unique=False
        )

    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("relayed_at", app.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            "ix_domain_events_unrelayed",
            ["occurred_at", "id"],
            unique=False,
            postgresql_where=sa.text("relayed_at IS NULL"),
            sqlite_where=sa.text("relayed_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("domain_events", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_domain_events_unrelayed",
            postgresql_where=sa.text("relayed_at IS NULL"),
            sqlite_where=sa.text("relayed_at IS NULL"),
        )
        batch_op.drop_column("relayed_at")

    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_participant_id"))
        batch_op.drop_index("ix_webhook_deliveries_endpoint_id_status_sequence")
        batch_op.drop_index("ix_webhook_deliveries_endpoint_id_created_at_id")

    op.drop_table("webhook_deliveries")
