"""The one way to reach journal entries: scoped to a participant, live entries only."""

import uuid

from sqlalchemy import Select, select

from app.journal.models import JournalEntry


def visible_entries(participant_id: uuid.UUID) -> Select[JournalEntry]:
    """Live (not deleted) entries of one participant. Every read starts here."""
    return select(JournalEntry).where(
        JournalEntry.participant_id == participant_id, JournalEntry.deleted_at.is_(None)
    )
