"""Statements on the journal's tables, each built from a scope (app.access).

"Live" entries, those not deleted, are defined here once: every read of entries starts
from `live_entries` (one scope), `live_entry_rows_template` (built once, bound to a scope
when it runs) or `live_entries_of_each` (a clinician's caseload).

And what a reader sees of an entry is decided here once (`readable_columns`): the note is
the participant's own, so anyone else reads it only when the participant shared it; a
private note reads as `null`, with no hint of its length. Ratings are the care team's to
review."""

from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_, case

from app.access import Caseload, ParticipantScope, Reader, scoped_template
from app.journal.models import JournalCounter, JournalEntry

ENTRIES = cast(Table, JournalEntry.__table__)
COUNTERS = cast(Table, JournalCounter.__table__)
LIVE = ENTRIES.c.deleted_at.is_(None)
OWN_COLUMNS: tuple[ColumnElement[Any], ...] = tuple(ENTRIES.c)
CARE_TEAM_COLUMNS: tuple[ColumnElement[Any], ...] = tuple(
    case((ENTRIES.c.note_shared.is_(True), column)).label("note")
    if column.key == "note"
    else column
    for column in ENTRIES.c
)


def readable_columns(scope: ParticipantScope) -> tuple[ColumnElement[Any], ...]:
    """An entry's columns as the scope's reader may see them: all for the participant
    themself; for anyone else the note only where it is shared."""
    return OWN_COLUMNS if scope.reader is Reader.participant else CARE_TEAM_COLUMNS


def live_entries(scope: ParticipantScope, *columns: Any) -> Select[Any]:
    """The participant's live entries as plain rows, as the reader may see them (or the
    `columns` named, for aggregates). Refine it with `ENTRIES.c` columns: ORM attributes
    would bring the ORM's compile and load steps back (loading 50 ORM objects cost a quarter
    of a list request's CPU)."""
    return scope.select(ENTRIES, *(columns or readable_columns(scope))).where(LIVE)


def any_entries(scope: ParticipantScope) -> Select[Any]:
    """The participant's entries, tombstones included: for writes and the sync feed."""
    return scope.select(ENTRIES, *readable_columns(scope))


# Built once each, bound to a scope when it runs (`scope.bind(...)`): for the hot list path.
LIVE_ENTRY_ROWS = scoped_template(ENTRIES, *OWN_COLUMNS).where(LIVE)
LIVE_ENTRY_ROWS_FOR_CARE_TEAM = scoped_template(ENTRIES, *CARE_TEAM_COLUMNS).where(LIVE)


def live_entry_rows_template(scope: ParticipantScope) -> Select[Any]:
    """`LIVE_ENTRY_ROWS` as the scope's reader may see them."""
    return LIVE_ENTRY_ROWS if scope.reader is Reader.participant else LIVE_ENTRY_ROWS_FOR_CARE_TEAM


def live_entries_of_each() -> ColumnElement[bool]:
    """Live entries of the participant of each row of a caseload's `participants()`."""
    return and_(Caseload.of_each(ENTRIES), LIVE)
