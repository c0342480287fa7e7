"""Keys ready for a PostgreSQL distributed by participant (Citus).

Every participant-owned table's primary key and unique indexes include `participant_id`, and
the one foreign key between participant-owned tables (a note superseding a note) includes it,
as Citus requires of tables distributed by `participant_id` (docs/scaling.md):

- `journal_entries`, `alerts`, `clinician_notes`: primary key `(id)` → `(participant_id, id)`;
- `clinician_notes`: the supersedes key and its unique index carry `participant_id`;
- `assessments`, `experience_reports`: the unique index on `id` alone becomes a plain index.

The database then no longer keeps an id unique across participants: the creates look the id
up among every participant's rows and refuse another's with `409` (a check, not a guarantee).
Hence a plain index on `id` for the three tables with client-made ids.

The downgrade restores the keys on `id` alone; it fails if two participants' rows have come
to share an id meanwhile. PostgreSQL's triggers (clinician_notes append-only) are untouched:
changing a table's constraints leaves them.

Revision ID: c0a1e2a5e010
Revises: c0a1e2a5e009
Create Date: 2026-12-07 23:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c0a1e2a5e010"
down_revision: str | None = "c0a1e2a5e009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTES_SUPERSEDES_FK = "fk_clinician_notes_supersedes_id_clinician_notes"


def _rekey(table: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.drop_constraint(f"pk_{table}", type_="primary")
        batch_op.create_primary_key(f"pk_{table}", columns)


def upgrade() -> None:
    _rekey("journal_entries", ["participant_id", "id"])
    _rekey("alerts", ["participant_id", "id"])
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index("ix_journal_entries_id", ["id"], unique=False)
    # The self-reference goes before the key it points at, and comes back pointing at the new one.
    with op.batch_alter_table("clinician_notes", schema=None) as batch_op:
        batch_op.drop_constraint(NOTES_SUPERSEDES_FK, type_="foreignkey")
        batch_op.drop_index("uq_clinician_notes_supersedes_id")
    _rekey("clinician_notes", ["participant_id", "id"])
    with op.batch_alter_table("clinician_notes", schema=None) as batch_op:
        batch_op.create_foreign_key(
            NOTES_SUPERSEDES_FK,
            "clinician_notes",
            ["participant_id", "supersedes_id"],
            ["participant_id", "id"],
            ondelete="CASCADE",
        )
        batch_op.create_index(
            "uq_clinician_notes_participant_id_supersedes_id",
            ["participant_id", "supersedes_id"],
            unique=True,
        )
    for table in ("assessments", "experience_reports"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"uq_{table}_id")
            batch_op.create_index(f"ix_{table}_id", ["id"], unique=False)


def downgrade() -> None:
    for table in ("experience_reports", "assessments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_id")
            batch_op.create_index(f"uq_{table}_id", ["id"], unique=True)
    with op.batch_alter_table("clinician_notes", schema=None) as batch_op:
        batch_op.drop_index("uq_clinician_notes_participant_id_supersedes_id")
        batch_op.drop_constraint(NOTES_SUPERSEDES_FK, type_="foreignkey")
    _rekey("clinician_notes", ["id"])
    with op.batch_alter_table("clinician_notes", schema=None) as batch_op:
        batch_op.create_foreign_key(
            NOTES_SUPERSEDES_FK, "clinician_notes", ["supersedes_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("uq_clinician_notes_supersedes_id", ["supersedes_id"], unique=True)
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_entries_id")
    _rekey("alerts", ["id"])
    _rekey("journal_entries", ["id"])
