"""Journal counters remember an erased participant, so a racing write cannot resurrect them.

Erasure used to delete the participant's counter row; a write that had passed its session
check just before then re-created it from 1 and stored its entry after the erasure (notes
left behind, and `500`s on the change-number index). Erasure now locks the row and marks it
with `erased_at` instead, and the writers' counter bump skips a marked row.

The upgrade also finishes erasures that such a race left incomplete: entries and review
marks of erased participants are deleted, and every erased participant gets a marked
counter row (the rows of earlier erasures were deleted). That cleanup is not undone.

Revision ID: c0a1e2a5e001
Revises: ba6f3dacb3f1
Create Date: 2026-12-01 23:20:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = "c0a1e2a5e001"
down_revision: str | None = "ba6f3dacb3f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLEANUP = (
    # What a racing write left behind after an erasure.
    "DELETE FROM journal_entries WHERE participant_id IN "
    "(SELECT id FROM users WHERE erased_at IS NOT NULL)",
    "DELETE FROM review_marks WHERE participant_id IN "
    "(SELECT id FROM users WHERE erased_at IS NOT NULL)",
    # The fence, for participants erased before it existed.
    "UPDATE journal_counters SET erased_at = (SELECT users.erased_at FROM users "
    "WHERE users.id = journal_counters.participant_id) WHERE participant_id IN "
    "(SELECT id FROM users WHERE erased_at IS NOT NULL)",
    "INSERT INTO journal_counters (participant_id, last_change_seq, erased_at) "
    "SELECT id, 0, erased_at FROM users WHERE erased_at IS NOT NULL "
    "AND id NOT IN (SELECT participant_id FROM journal_counters)",
)


def upgrade() -> None:
    with op.batch_alter_table("journal_counters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("erased_at", app.db.UTCDateTime(timezone=True), nullable=True)
        )
    for statement in CLEANUP:
        op.execute(statement)


def downgrade() -> None:
    # The erasure of the previous revision deletes the counter row: leave the rows as it would.
    op.execute("DELETE FROM journal_counters WHERE erased_at IS NOT NULL")
    with op.batch_alter_table("journal_counters", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
