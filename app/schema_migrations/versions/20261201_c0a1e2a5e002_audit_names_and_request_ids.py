"""Audit events keep the actor's name as it was and a server-made request id.

- `audit_events.actor_display_name`: a clinician's or admin's display name when they acted,
  so that the participant's access log shows who read their data then, whatever the account
  is called now. Events recorded before this revision get the actor's name as it is at
  upgrade time (the best that is known; earlier renames were not recorded).
- `audit_events.client_request_id`: the client's `X-Request-ID`, kept beside the server-made
  `request_id` (which until now was the client's value when it sent one; those old values
  stay in `request_id`, since which ones came from clients is not known).
- `users.security_notices_seen_at`: the newest security notice the participant has listed.
- `ix_audit_events_participant_id_id_notices`: a partial index on the few events that
  security notices come from.

Revision ID: c0a1e2a5e002
Revises: c0a1e2a5e001
Create Date: 2026-12-01 23:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0a1e2a5e002"
down_revision: str | None = "c0a1e2a5e001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTICES = sa.text(
    "action IN ('account.activation_code_issue', 'auth.activate', "
    "'assignment.set', 'assignment.end')"
)
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_request_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("actor_display_name", sa.String(length=100), nullable=True))
        batch_op.create_index(
            "ix_audit_events_participant_id_id_notices",
            ["participant_id", "id"],
            postgresql_where=NOTICES,
            sqlite_where=NOTICES,
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("security_notices_seen_at", UTC_DATETIME, nullable=True))
    _backfill_actor_names()


def _backfill_actor_names() -> None:
    """Old events get the actor's current name, the only one known (see the docstring).

    The one update ever made to audit rows: on PostgreSQL the append-only trigger is set
    aside for it, inside the migration's transaction (the table is locked meanwhile, and a
    failure rolls the trigger change back with everything else)."""
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
    op.execute(
        "UPDATE audit_events SET actor_display_name = "
        "(SELECT users.display_name FROM users WHERE users.id = audit_events.actor_id) "
        "WHERE actor_id IS NOT NULL AND actor_role IN ('clinician', 'admin')"
    )
    if postgres:
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("security_notices_seen_at")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_participant_id_id_notices")
        batch_op.drop_column("actor_display_name")
        batch_op.drop_column("client_request_id")
