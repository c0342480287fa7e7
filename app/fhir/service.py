"""`Patient/{id}/$everything`: a page of the participant's resources at a time.

The pages walk the live entries (oldest first, by `recorded_at`), then the assessments
(oldest first, by `completed_at`); a page that finishes the entries is filled up with
assessments. The cursor names the part and the keyset position in it. The Patient comes
first, on the first page only."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope, Reader
from app.assessments.queries import ASSESSMENTS
from app.assessments.reads import assessments_of
from app.audit.service import AuditAction, record_event
from app.fhir import resources
from app.journal.queries import ENTRIES, live_entries
from app.pagination import after_instant, bad_cursor, decode_cursor, encode_cursor
from app.users.models import User

CURSOR_KIND = "fhir-everything"
START = datetime.fromisoformat("1900-01-01T00:00:00+00:00")  # before every stored time
NIL = uuid.UUID(int=0)
ENTRY_PART = "entries"
ASSESSMENT_PART = "assessments"

AUDITED = {
    Reader.primary_clinician: (AuditAction.read_entries, AuditAction.read_assessments),
    Reader.covering_backup: (AuditAction.read_entries, AuditAction.read_assessments),
    Reader.integration: (
        AuditAction.integration_read_entries,
        AuditAction.integration_read_assessments,
    ),
}


def _cursor(part: str, instant: datetime, row_id: uuid.UUID) -> str:
    return encode_cursor(CURSOR_KIND, [part, instant.isoformat(), str(row_id)])


def _position(cursor: str | None) -> tuple[str, datetime, uuid.UUID]:
    if cursor is None:
        return ENTRY_PART, START, NIL
    part, instant, row_id = decode_cursor(CURSOR_KIND, cursor, str, datetime, uuid.UUID)
    if part not in (ENTRY_PART, ASSESSMENT_PART):
        raise bad_cursor()
    return part, instant, row_id


async def _entry_rows(
    session: AsyncSession, scope: ParticipantScope, after: tuple[datetime, uuid.UUID],
    since: datetime | None, limit: int,
) -> list[Any]:  # fmt: skip
    keys = (ENTRIES.c.recorded_at, ENTRIES.c.id)
    statement = live_entries(scope).where(after_instant(*keys, *after)).order_by(*keys)
    if since is not None:
        statement = statement.where(ENTRIES.c.updated_at >= since)
    return list((await session.execute(statement.limit(limit))).mappings().all())


async def _assessment_rows(
    session: AsyncSession, scope: ParticipantScope, after: tuple[datetime, uuid.UUID],
    since: datetime | None, limit: int,
) -> list[Any]:  # fmt: skip
    keys = (ASSESSMENTS.c.completed_at, ASSESSMENTS.c.id)
    statement = assessments_of(scope).where(after_instant(*keys, *after)).order_by(*keys)
    if since is not None:
        statement = statement.where(ASSESSMENTS.c.created_at >= since)
    return list((await session.execute(statement.limit(limit))).mappings().all())


async def patient_resource(session: AsyncSession, scope: ParticipantScope) -> dict[str, Any]:
    name = None
    if scope.reader is Reader.participant:
        statement = select(User.display_name).where(User.id == scope.participant_id)
        name = (await session.execute(statement)).scalar_one()
    return resources.patient(scope.participant_id, name)


async def audit_everything(session: AsyncSession, scope: ParticipantScope) -> None:
    """The care team's and integrations' reads, as their other reads are recorded (and so
    in the participant's access log); the participant's own reads are not."""
    for action in AUDITED.get(scope.reader, ()):
        await record_event(
            session,
            scope.actor,
            action,
            participant_id=scope.participant_id,
            subject_id=scope.actor.client_id,
        )


async def everything_page(
    session: AsyncSession,
    scope: ParticipantScope,
    since: datetime | None,
    count: int,
    cursor: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of `$everything` as Bundle entries (at most `count` entries or assessments),
    and the cursor of the next page (None on the last). Audited."""
    part, instant, row_id = _position(cursor)
    entries: list[dict[str, Any]] = []
    if cursor is None:
        entries.append(resources.bundle_entry(await patient_resource(session, scope), "match"))
    room = count
    if part == ENTRY_PART:
        rows = await _entry_rows(session, scope, (instant, row_id), since, count + 1)
        page = rows[:count]
        entries += [resources.bundle_entry(resources.entry_observation(row), "include")
                    for row in page]  # fmt: skip
        if len(rows) > count:
            await audit_everything(session, scope)
            last = page[-1]
            return entries, _cursor(ENTRY_PART, last["recorded_at"], last["id"])
        room -= len(page)
        instant, row_id = START, NIL
    assessments = await _assessment_rows(session, scope, (instant, row_id), since, room + 1)
    for row in assessments[:room]:
        entries += resources.assessment_entries(row, "include")
    await audit_everything(session, scope)
    if len(assessments) <= room:
        return entries, None
    if room == 0:
        return entries, _cursor(ASSESSMENT_PART, START, NIL)
    last = assessments[room - 1]
    return entries, _cursor(ASSESSMENT_PART, last["completed_at"], last["id"])
