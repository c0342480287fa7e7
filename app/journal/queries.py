"""Statements on the journal's tables, each built from a scope (app.access).

"Live" entries, those not deleted, are defined here once: every read of entries starts
from `live_entries` (one scope), `LIVE_ENTRY_ROWS` (built once, bound to a scope when it
runs) or `live_entries_of_each` (a clinician's caseload)."""

from typing import Any, cast

from sqlalchemy import ColumnElement, Select, Table, and_

from app.access import Caseload, ParticipantScope, scoped_template
from app.journal.models import JournalCounter, JournalEntry

ENTRIES = cast(Table, JournalEntry.__table__)
COUNTERS = cast(Table, JournalCounter.__table__)
LIVE = ENTRIES.c.deleted_at.is_(None)


def live_entries(scope: ParticipantScope, *columns: Any) -> Select[Any]:
    """The participant's live entries as plain rows (or the `columns` named). Refine it with
    `ENTRIES.c` columns: ORM attributes would bring the ORM's compile and load steps back
    (loading 50 ORM objects cost a quarter of a list request's CPU)."""
    return scope.select(ENTRIES, *columns).where(LIVE)


def any_entries(scope: ParticipantScope) -> Select[Any]:
    """The participant's entries, tombstones included: for writes and the sync feed."""
    return scope.select(ENTRIES)


# Built once, bound to a scope when it runs (`scope.bind(...)`): for the hot list path.
LIVE_ENTRY_ROWS = scoped_template(ENTRIES).where(LIVE)


def live_entries_of_each() -> ColumnElement[bool]:
    """Live entries of the participant of each row of a caseload's `participants()`."""
    return and_(Caseload.of_each(ENTRIES), LIVE)
