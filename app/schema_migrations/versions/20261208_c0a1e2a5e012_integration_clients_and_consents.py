"""Integration clients (OAuth2 client credentials) and participants' consents to them.

- `integration_clients`: another system's client, its scopes, its secret as a SHA-256 hash and
  a `secret_version` its tokens carry (rotation ends them);
- `integration_consents`: participant-owned, keyed by (participant_id, integration_id), so
  that it can be distributed by participant like the other owned tables (docs/scaling.md).

Revision ID: c0a1e2a5e012
Revises: c0a1e2a5e011
Create Date: 2026-12-08 01:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "c0a1e2a5e012"
down_revision: str | None = "c0a1e2a5e011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "integration_clients",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("secret_version", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration_clients")),
    )
    op.create_table(
        "integration_consents",
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("integration_id", sa.Uuid(), nullable=False),
        sa.Column("consented_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["integration_id"],
            ["integration_clients.id"],
            name=op.f("fk_integration_consents_integration_id_integration_clients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_integration_consents_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "participant_id", "integration_id", name=op.f("pk_integration_consents")
        ),
        info={"participant_owned": True},
    )
    with op.batch_alter_table("integration_consents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_integration_consents_integration_id_consented_at",
            ["integration_id", "consented_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("integration_consents", schema=None) as batch_op:
        batch_op.drop_index("ix_integration_consents_integration_id_consented_at")

    op.drop_table("integration_consents")
    op.drop_table("integration_clients")
