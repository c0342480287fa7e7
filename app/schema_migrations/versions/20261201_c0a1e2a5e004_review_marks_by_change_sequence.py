"""Review marks cover what the service had received, by change number, not by `recorded_at`.

A mark used to count every entry *recorded* before `reviewed_through` as reviewed, so an
offline upload of yesterday's entry, or an edit made after the mark, looked reviewed. Now a
mark keeps `reviewed_change_seq`: entries whose current change number is at or below it are
reviewed. Existing marks get the number up to which every change had reached the service by
the earlier of `reviewed_through` and the moment the mark was set (`updated_at`): what the
clinician could have seen. Entries changed after that are unreviewed again, which can only
raise a participant's unreviewed count, never hide an entry.

Revision ID: c0a1e2a5e004
Revises: c0a1e2a5e003
Create Date: 2026-12-01 23:40:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0a1e2a5e004"
down_revision: str | None = "c0a1e2a5e003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
BACKFILL = """
UPDATE review_marks SET reviewed_change_seq = COALESCE(
    (SELECT MIN(e.change_seq) - 1 FROM journal_entries e
      WHERE e.participant_id = review_marks.participant_id
        AND e.updated_at > CASE WHEN review_marks.reviewed_through < review_marks.updated_at
                                THEN review_marks.reviewed_through
                                ELSE review_marks.updated_at END),
    (SELECT MAX(e.change_seq) FROM journal_entries e
      WHERE e.participant_id = review_marks.participant_id),
    0)
"""


def upgrade() -> None:
    with op.batch_alter_table("review_marks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reviewed_change_seq", sa.BigInteger(), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table("review_marks", schema=None) as batch_op:
        batch_op.alter_column("reviewed_change_seq", existing_type=sa.BigInteger(), nullable=False)
    op.create_index(
        "ix_journal_entries_participant_id_change_seq_live",
        "journal_entries",
        ["participant_id", "change_seq"],
        unique=False,
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index(
        "ix_journal_entries_participant_id_change_seq_live",
        table_name="journal_entries",
        postgresql_where=LIVE,
        sqlite_where=LIVE,
    )
    with op.batch_alter_table("review_marks", schema=None) as batch_op:
        batch_op.drop_column("reviewed_change_seq")
