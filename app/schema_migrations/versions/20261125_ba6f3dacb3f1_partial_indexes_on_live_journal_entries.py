"""Partial indexes on live journal entries: tombstones leave the time and day indexes.

The clinician overview counts a participant's unreviewed entries and finds their last one;
with `deleted_at IS NULL` in the index, both are index-only scans.

Revision ID: ba6f3dacb3f1
Revises: adbbbcf926ab
Create Date: 2026-11-25 22:58:44.730239+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ba6f3dacb3f1"
down_revision: str | None = "adbbbcf926ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")
INDEXES = {
    "ix_journal_entries_participant_id_recorded_at": ["participant_id", "recorded_at", "id"],
    "ix_journal_entries_participant_id_local_date": ["participant_id", "local_date"],
}


def upgrade() -> None:
    # The new indexes first, so that the old ones serve queries until they are dropped.
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(f"{name}_live", columns, postgresql_where=LIVE, sqlite_where=LIVE)
        for name in INDEXES:
            batch_op.drop_index(name)


def downgrade() -> None:
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns)
        for name in INDEXES:
            batch_op.drop_index(f"{name}_live")
