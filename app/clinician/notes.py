"""Clinician notes: an append-only record of what the care team saw and did.

A note is never changed: a correction is a new note that supersedes an earlier one (both
stay; the earlier is shown as superseded). Notes with `participant` visibility are also the
participant's to read. Every statement is built from the participant's scope."""

import uuid
from typing import Any, cast

from sqlalchemy import Row, Select, Table, and_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access import ParticipantScope
from app.audit.service import AuditAction, record_event
from app.clinician.models import ClinicianNote
from app.clinician.schemas import ClinicianNoteCreate, ClinicianNoteRead
from app.db import utcnow
from app.errors import Conflict
from app.pagination import (
    before_instant,
    decode_instant_cursor,
    encode_instant_cursor,
    fetch_page,
)

NOTES = cast(Table, ClinicianNote.__table__)
LATER = aliased(ClinicianNote, name="later")
_CURSOR_KIND = "notes"


class NoteNotSupersedable(Conflict):
    code = "note-not-supersedable"
    example = (
        "That note cannot be superseded: it is not one of this participant's notes, or a "
        "later note already supersedes it."
    )


def _notes_with_successor(scope: ParticipantScope) -> Select[Any]:
    """The participant's notes, each with the id of the note that supersedes it (if any)."""
    successor = and_(LATER.supersedes_id == ClinicianNote.id, scope.owns(LATER))
    return (
        scope.select(
            ClinicianNote,
            ClinicianNote.id,
            ClinicianNote.author_display_name.label("author"),
            ClinicianNote.visibility,
            ClinicianNote.text,
            ClinicianNote.supersedes_id.label("supersedes"),
            LATER.id.label("superseded_by"),
            ClinicianNote.created_at,
        )
        .outerjoin(LATER, successor)
        .order_by(ClinicianNote.created_at.desc(), ClinicianNote.id.desc())
    )


def _read(row: Row[Any]) -> ClinicianNoteRead:
    return ClinicianNoteRead.model_validate(row._mapping)


async def find_note(
    session: AsyncSession, scope: ParticipantScope, note_id: uuid.UUID
) -> ClinicianNoteRead | None:
    """One note of the participant, with what supersedes it, or None."""
    statement = _notes_with_successor(scope).where(ClinicianNote.id == note_id)
    row = (await session.execute(statement)).first()
    return _read(row) if row is not None else None


async def _check_supersedable(
    session: AsyncSession, scope: ParticipantScope, note_id: uuid.UUID
) -> None:
    note = await find_note(session, scope, note_id)
    if note is None or note.superseded_by is not None:
        raise NoteNotSupersedable(NoteNotSupersedable.example)


async def write_note(
    session: AsyncSession, scope: ParticipantScope, note: ClinicianNoteCreate
) -> ClinicianNoteRead:
    """Append a note by the scope's clinician; with `supersedes`, it corrects an earlier note
    of the same participant that nothing supersedes yet (else 409). Audited by id only."""
    if note.supersedes is not None:
        await _check_supersedable(session, scope, note.supersedes)
    note_id = uuid.uuid4()
    values = {
        "id": note_id,
        "author_id": scope.actor.user_id,
        "author_display_name": scope.actor.display_name or "",
        "text": note.text,
        "visibility": note.visibility,
        "supersedes_id": note.supersedes,
        "created_at": utcnow(),
    }
    try:
        async with session.begin_nested():
            await session.execute(scope.upsert(session, NOTES).values(values))
    except IntegrityError as exc:  # another note superseded it at the same moment
        raise NoteNotSupersedable(NoteNotSupersedable.example) from exc
    await record_event(
        session,
        scope.actor,
        AuditAction.note_write,
        participant_id=scope.participant_id,
        subject_id=note_id,
    )
    if note.supersedes is not None:
        await record_event(
            session,
            scope.actor,
            AuditAction.note_supersede,
            participant_id=scope.participant_id,
            subject_id=note.supersedes,
        )
    return ClinicianNoteRead(
        id=note_id,
        author=scope.actor.display_name or "",
        visibility=note.visibility,
        text=note.text,
        supersedes=note.supersedes,
        superseded_by=None,
        created_at=values["created_at"],
    )


def _notes_cursor(row: Row[Any]) -> str:
    return encode_instant_cursor(_CURSOR_KIND, row.created_at, row.id)


async def list_notes(
    session: AsyncSession,
    scope: ParticipantScope,
    limit: int,
    cursor: str | None,
    *,
    shared_only: bool,
) -> tuple[list[ClinicianNoteRead], str | None]:
    """Newest first; `shared_only`: those written for the participant to read."""
    statement = _notes_with_successor(scope)
    if shared_only:
        statement = statement.where(ClinicianNote.visibility == "participant")
    if cursor is not None:
        after = decode_instant_cursor(_CURSOR_KIND, cursor)
        statement = statement.where(
            before_instant(ClinicianNote.created_at, ClinicianNote.id, *after)
        )
    rows, next_cursor = await fetch_page(session, statement, limit, _notes_cursor)
    return [_read(row) for row in rows], next_cursor


async def shared_notes(session: AsyncSession, scope: ParticipantScope) -> list[ClinicianNoteRead]:
    """Every note written for the participant to read, oldest first (their export)."""
    statement = (
        _notes_with_successor(scope)
        .where(ClinicianNote.visibility == "participant")
        .order_by(None)
        .order_by(ClinicianNote.created_at, ClinicianNote.id)
    )
    return [_read(row) for row in await session.execute(statement)]


async def erase_notes(session: AsyncSession, scope: ParticipantScope) -> None:
    await session.execute(scope.delete(NOTES))
