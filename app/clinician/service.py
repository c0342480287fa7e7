"""What a clinician reads of the participants assigned to them; every read is audited."""

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import case, func
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Caseload, ParticipantScope, Reader
from app.access.ways_in import participant_not_found
from app.audit.service import AuditAction, record_event, record_reads
from app.clinician import notes
from app.clinician.models import ReviewMark
from app.clinician.overview import (
    Overview,
    OverviewOrder,
    build_overviews,
    caseload_page,
    overview_rows,
)
from app.clinician.schemas import (
    ClinicianEntryRead,
    ClinicianNoteRead,
    ParticipantOverview,
    ReviewMarkRead,
    ReviewMarkUpdate,
)
from app.db import utcnow
from app.errors import InvalidInput, NotFound
from app.journal import reads
from app.journal.queries import ENTRIES, live_entries
from app.journal.schemas import Summary
from app.journal.stats import Bucket, summarize, summary_range
from app.users.models import User

CLINICIAN_ENTRIES = TypeAdapter(list[ClinicianEntryRead])
REVIEW_MARK_CLOCK_SKEW = timedelta(minutes=1)


async def audit_read(session: AsyncSession, scope: ParticipantScope, action: AuditAction) -> None:
    await record_event(session, scope.actor, action, participant_id=scope.participant_id)


async def list_assigned_participants(
    session: AsyncSession,
    caseload: Caseload,
    limit: int,
    cursor: str | None,
    order: OverviewOrder = "attention",
    name_contains: str | None = None,
    *,
    with_scores: bool = True,
) -> tuple[list[Overview], str | None]:
    """The clinician's participants in attention order or by display name, each with their
    figures (`name_contains`: only those whose display name contains it; `with_scores`:
    the latest scores too, which the console's caseload does not show). The cursor carries
    no name (a URL must not carry names)."""
    rows, next_cursor = await caseload_page(session, caseload, limit, cursor, order, name_contains)
    overviews = await build_overviews(session, caseload, rows, with_scores=with_scores)
    await record_reads(
        session, caseload.actor, AuditAction.read_overview, [row.participant_id for row in rows]
    )
    return overviews, next_cursor


async def get_participant_overview(
    session: AsyncSession, caseload: Caseload, scope: ParticipantScope
) -> ParticipantOverview:
    covering = scope.reader is Reader.covering_backup
    statement = overview_rows(caseload, covering=covering).where(User.id == scope.participant_id)
    row = (await session.execute(statement)).first()
    if row is None:  # reassigned since the scope was made, in this very request
        raise participant_not_found()
    caseload.remember([row.participant_id])
    (overview,) = await build_overviews(session, caseload, [row])
    await audit_read(session, scope, AuditAction.read_profile)
    return ParticipantOverview.model_validate(overview)


async def _find_review_mark(session: AsyncSession, scope: ParticipantScope) -> Any:
    statement = scope.select(ReviewMark).where(ReviewMark.clinician_id == scope.actor.user_id)
    return (await session.execute(statement)).scalar_one_or_none()


async def list_participant_entries(
    session: AsyncSession,
    scope: ParticipantScope,
    filters: reads.EntryListFilter,
    limit: int,
    cursor: str | None,
) -> tuple[list[ClinicianEntryRead], str | None]:
    """A page of the participant's entries, each marked unreviewed or not for this clinician."""
    rows, next_cursor = await reads.list_entries(session, scope, filters, limit, cursor)
    mark = await _find_review_mark(session, scope)
    reviewed_change_seq = mark.reviewed_change_seq if mark else 0
    await audit_read(session, scope, AuditAction.read_entries)
    items = [{**row._asdict(), "unreviewed": row.change_seq > reviewed_change_seq} for row in rows]
    return CLINICIAN_ENTRIES.validate_python(items), next_cursor


async def get_participant_summary(
    session: AsyncSession,
    scope: ParticipantScope,
    from_date: date | None,
    to_date: date | None,
    bucket: Bucket,
) -> Summary:
    from_date, to_date = summary_range(from_date, to_date, scope.timezone)
    summary = await summarize(session, scope, from_date, to_date, bucket)
    await audit_read(session, scope, AuditAction.read_summary)
    return summary


async def _reviewed_change_seq(
    session: AsyncSession, scope: ParticipantScope, through: datetime
) -> int:
    """The highest change number up to which every change had reached the service by
    `through`: one below the first change made after it, else the newest change. An entry
    numbered at or below it is reviewed in its current form; anything later is not."""
    later = case((ENTRIES.c.updated_at > through, ENTRIES.c.change_seq))
    statement = scope.select(ENTRIES, func.min(later), func.max(ENTRIES.c.change_seq))
    first_later, newest = (await session.execute(statement)).one()
    return int(first_later - 1 if first_later is not None else newest or 0)


async def _count_unreviewed(
    session: AsyncSession, scope: ParticipantScope, reviewed_change_seq: int
) -> int:
    statement = live_entries(scope, func.count()).where(ENTRIES.c.change_seq > reviewed_change_seq)
    return int((await session.execute(statement)).scalar_one())


async def set_review_mark(
    session: AsyncSession, scope: ParticipantScope, mark: ReviewMarkUpdate
) -> ReviewMarkRead:
    """Everything the service had received or changed by `reviewed_through` counts as
    reviewed by this clinician; a mark in the future is refused."""
    now = utcnow()
    if mark.reviewed_through > now + REVIEW_MARK_CLOCK_SKEW:
        raise InvalidInput(
            "body.reviewed_through", "A review mark cannot be in the future.", "in-future"
        )
    through = min(mark.reviewed_through, now)
    reviewed_change_seq = await _reviewed_change_seq(session, scope, through)
    values = {"reviewed_through": through, "reviewed_change_seq": reviewed_change_seq}
    await session.execute(
        scope.upsert(session, ReviewMark)
        .values(clinician_id=scope.actor.user_id, updated_at=now, **values)
        .on_conflict_do_update(
            index_elements=[ReviewMark.participant_id, ReviewMark.clinician_id],
            set_={**values, "updated_at": now},
        )
    )
    unreviewed = await _count_unreviewed(session, scope, reviewed_change_seq)
    await audit_read(session, scope, AuditAction.review_mark)
    return ReviewMarkRead(
        participant_id=scope.participant_id,
        reviewed_through=through,
        unreviewed=unreviewed,
        updated_at=now,
    )


async def get_review_mark(session: AsyncSession, scope: ParticipantScope) -> ReviewMarkRead:
    """The clinician's mark for the participant (or none) and what is unreviewed now."""
    mark = await _find_review_mark(session, scope)
    unreviewed = await _count_unreviewed(session, scope, mark.reviewed_change_seq if mark else 0)
    await audit_read(session, scope, AuditAction.read_profile)
    return ReviewMarkRead(
        participant_id=scope.participant_id,
        reviewed_through=mark.reviewed_through if mark else None,
        unreviewed=unreviewed,
        updated_at=mark.updated_at if mark else None,
    )


async def list_participant_notes(
    session: AsyncSession, scope: ParticipantScope, limit: int, cursor: str | None
) -> tuple[list[ClinicianNoteRead], str | None]:
    """The care team's notes about the participant, newest first; an audited read."""
    page = await notes.list_notes(session, scope, limit, cursor, shared_only=False)
    await audit_read(session, scope, AuditAction.read_notes)
    return page


async def get_participant_note(
    session: AsyncSession, scope: ParticipantScope, note_id: uuid.UUID
) -> ClinicianNoteRead:
    """One note about the participant (404 otherwise); an audited read."""
    note = await notes.find_note(session, scope, note_id)
    if note is None:
        raise NotFound("No such note.")
    await audit_read(session, scope, AuditAction.read_notes)
    return note


async def erase_clinician_records(session: AsyncSession, scope: ParticipantScope) -> None:
    """Every review mark and note about the participant (their account's erasure); the
    audit trail keeps that notes existed, by id, never their text."""
    await session.execute(scope.delete(ReviewMark))
    await notes.erase_notes(session, scope)
