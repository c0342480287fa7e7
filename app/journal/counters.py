"""Each participant's change counter: the numbers of the sync feed, and the erasure fence.

Every journal write bumps the participant's counter row, which locks it until commit; the
erasure marks the same row (`erased_at`) under the same lock before it deletes anything. So
a write either commits before the erasure goes on (and its entry is then erased), or waits,
finds the mark and stores nothing. See `JournalCounter`.
"""

import functools
from datetime import datetime

from sqlalchemy import Uuid, bindparam, literal, select
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from app.access import SCOPE_PARTICIPANT, ParticipantScope
from app.access.scope import scoped_insert_template
from app.db import dialect_name
from app.errors import NotAuthenticated
from app.journal.queries import COUNTERS, ENTRIES

NOT_ERASED = COUNTERS.c.erased_at.is_(None)


def journal_closed() -> NotAuthenticated:
    """A write that raced the participant's erasure: erasure ended every session, so it gets
    what any later request with the same token gets (401), and nothing is stored."""
    return NotAuthenticated("The session has ended; sign in again.")


async def is_erased(session: AsyncSession, scope: ParticipantScope) -> bool:
    statement = scope.select(COUNTERS, COUNTERS.c.erased_at)
    return (await session.execute(statement)).scalar_one_or_none() is not None


# The write path's statements are built once per database and executed with parameters:
# building and cache-keying them on every request was a tenth of the entry POST's CPU.
def _bump_on_conflict(insert: PostgresInsert | SQLiteInsert) -> ReturningInsert[int]:
    """The next number; no row for an erased participant (once their erasure has committed:
    PostgreSQL re-checks the condition on the row it waited for)."""
    return insert.on_conflict_do_update(
        index_elements=[COUNTERS.c.participant_id],
        set_={"last_change_seq": COUNTERS.c.last_change_seq + 1},
        where=NOT_ERASED,
    ).returning(COUNTERS.c.last_change_seq)


@functools.cache
def _change_seq_bump(dialect: str) -> ReturningInsert[int]:
    return _bump_on_conflict(
        scoped_insert_template(dialect, COUNTERS).values(
            participant_id=SCOPE_PARTICIPANT, last_change_seq=1
        )
    )


@functools.cache
def change_seq_bump_unless_taken(dialect: str) -> ReturningInsert[int]:
    """The bump, unless an entry with the id exists (no row then): a retry of a stored
    entry leaves the counter, and its lock, alone.

    The id is looked for among every participant's entries, so that one participant's id
    is refused to another (`409`) and only whether the insert may go ahead is learnt here.
    A check, not a guarantee: the primary key is (participant_id, id), as a table distributed
    by participant_id must have (docs/scaling.md), so two participants sending one id at the
    same moment could both store it. A replayed id is a malicious client's doing, not a
    collision of random UUIDs."""
    taken = select(ENTRIES.c.id).where(ENTRIES.c.id == bindparam("id", type_=Uuid())).exists()
    source = select(SCOPE_PARTICIPANT, literal(1)).where(~taken)
    return _bump_on_conflict(
        scoped_insert_template(dialect, COUNTERS).from_select(
            [COUNTERS.c.participant_id, COUNTERS.c.last_change_seq], source
        )
    )


async def next_change_seq(session: AsyncSession, scope: ParticipantScope) -> int:
    """Hand out the participant's next change number, holding its counter row locked until
    commit: their writes then commit in number order and the sync feed never skips one.
    An erased participant gets none: 401, as for their ended sessions."""
    statement = _change_seq_bump(dialect_name(session))
    change_seq = (await session.execute(statement, scope.bind())).scalar()
    if change_seq is None:
        raise journal_closed()
    return int(change_seq)


async def close_journal(session: AsyncSession, scope: ParticipantScope, now: datetime) -> bool:
    """Mark the participant's counter erased, creating it if they never wrote, and hold its
    lock until commit; False when another erasure of theirs already did. The row stays."""
    statement = (
        scope.upsert(session, COUNTERS)
        .values(last_change_seq=0, erased_at=now)
        .on_conflict_do_update(
            index_elements=[COUNTERS.c.participant_id], set_={"erased_at": now}, where=NOT_ERASED
        )
        .returning(COUNTERS.c.participant_id)
    )
    return (await session.execute(statement)).first() is not None
