"""The one way to reach journal entries: scoped to a participant, live entries only."""

import uuid
from typing import Any, cast

from sqlalchemy import BindParameter, Select, Table, select

from app.journal.models import JournalEntry

ENTRIES = cast(Table, JournalEntry.__table__)


def visible_entries(participant_id: uuid.UUID) -> Select[JournalEntry]:
    """Live (not deleted) entries of one participant. Every read starts here."""
    return select(JournalEntry).where(
        JournalEntry.participant_id == participant_id, JournalEntry.deleted_at.is_(None)
    )


def visible_entry_rows(participant_id: uuid.UUID | BindParameter[uuid.UUID]) -> Select[Any]:
    """The same entries as plain rows, for reads that only serialise them (loading 50 ORM
    objects cost a quarter of a list request's CPU). Refine it with `ENTRIES.c` columns:
    ORM attributes would bring the ORM's compile and load steps back."""
    return select(*ENTRIES.c).where(
        ENTRIES.c.participant_id == participant_id, ENTRIES.c.deleted_at.is_(None)
    )
