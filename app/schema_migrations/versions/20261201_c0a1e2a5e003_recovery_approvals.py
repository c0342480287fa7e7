"""Account recovery and new-clinician assignments that wait for a second admin.

`admin_approvals`: one row per request made while `JOURNAL_SECOND_ADMIN_APPROVAL` is on
(identifiers and times only; the activation code is made when a second admin approves, and
is never stored in clear).

Revision ID: c0a1e2a5e003
Revises: c0a1e2a5e002
Create Date: 2026-12-01 23:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "c0a1e2a5e003"
down_revision: str | None = "c0a1e2a5e002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = app.db.UTCDateTime(timezone=True)


def _user_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["users.id"],
        name=op.f(f"fk_admin_approvals_{column}_users"),
        ondelete="RESTRICT",
    )


def upgrade() -> None:
    op.create_table(
        "admin_approvals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=True),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("requested_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint(
            "kind IN ('participant_recovery', 'new_clinician_assignment')",
            name=op.f("ck_admin_approvals_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')",
            name=op.f("ck_admin_approvals_status"),
        ),
        _user_fk("participant_id"),
        _user_fk("clinician_id"),
        _user_fk("requested_by"),
        _user_fk("decided_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_approvals")),
    )
    with op.batch_alter_table("admin_approvals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_approvals_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            "ix_admin_approvals_status_requested_at",
            ["status", "requested_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_approvals", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_approvals_status_requested_at")
        batch_op.drop_index(batch_op.f("ix_admin_approvals_participant_id"))
    op.drop_table("admin_approvals")
