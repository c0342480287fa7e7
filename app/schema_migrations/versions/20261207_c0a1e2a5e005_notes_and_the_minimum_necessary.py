"""Notes and the minimum necessary: who reads a participant's notes; clinician notes.

- `journal_entries.note_shared`: the care team reads an entry's note only when it is true.
  Existing entries get `false`: no participant had ever shared a note before this existed,
  so none is shown to a clinician until its author shares it.
- `users.share_notes_with_care_team`: a participant's default for entries written from now
  on (`false`).
- `clinician_notes`: append-only (on PostgreSQL a trigger refuses any UPDATE, as for audit
  events); a correction supersedes an earlier note, at most once each.

Revision ID: c0a1e2a5e005
Revises: c0a1e2a5e004
Create Date: 2026-12-07 18:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "c0a1e2a5e005"
down_revision: str | None = "c0a1e2a5e004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTES_APPEND_ONLY_FUNCTION = """
CREATE FUNCTION clinician_notes_reject_update() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'clinician_notes is append-only: write a note that supersedes it';
END;
$$ LANGUAGE plpgsql
"""
NOTES_APPEND_ONLY_TRIGGER = """
CREATE TRIGGER clinician_notes_append_only
BEFORE UPDATE ON clinician_notes
FOR EACH ROW EXECUTE FUNCTION clinician_notes_reject_update()
"""


def upgrade() -> None:
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("note_shared", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "share_notes_with_care_team",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
    op.create_table(
        "clinician_notes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("participant_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("author_display_name", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("supersedes_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "visibility IN ('care_team', 'participant')",
            name=op.f("ck_clinician_notes_visibility_known"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_clinician_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["users.id"],
            name=op.f("fk_clinician_notes_participant_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["clinician_notes.id"],
            name=op.f("fk_clinician_notes_supersedes_id_clinician_notes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinician_notes")),
    )
    with op.batch_alter_table("clinician_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_clinician_notes_participant_id_created_at",
            ["participant_id", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index("uq_clinician_notes_supersedes_id", ["supersedes_id"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NOTES_APPEND_ONLY_FUNCTION)
        op.execute(NOTES_APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS clinician_notes_append_only ON clinician_notes")
        op.execute("DROP FUNCTION IF EXISTS clinician_notes_reject_update()")
    op.drop_table("clinician_notes")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("share_notes_with_care_team")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_column("note_shared")
