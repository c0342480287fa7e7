"""What a clinician reads of the participants assigned to them; every read is audited."""

import uuid
from datetime import date, datetime, timedelta

from pydantic import TypeAdapter
from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import AuditAction, record_event, record_reads
from app.auth.identity import Identity
from app.clinician.access import get_assigned_participant, participant_not_found
from app.clinician.models import ReviewMark
from app.clinician.overview import assigned_participant_rows, build_overviews
from app.clinician.schemas import (
    ClinicianEntryRead,
    ParticipantOverview,
    ReviewMarkRead,
    ReviewMarkUpdate,
)
from app.db import upsert_into, utcnow
from app.errors import InvalidInput
from app.journal import service as journal
from app.journal.access import visible_entries
from app.journal.models import JournalEntry
from app.journal.schemas import Summary
from app.journal.stats import Bucket, summarize, summary_range
from app.pagination import decode_cursor, encode_cursor
from app.users.models import User

CLINICIAN_ENTRIES = TypeAdapter(list[ClinicianEntryRead])


async def list_assigned_participants(
    session: AsyncSession, identity: Identity, limit: int, cursor: str | None
) -> tuple[list[ParticipantOverview], str | None]:
    """The clinician's participants by display name, each with their figures. The cursor
    carries only the last participant's id (a URL must not carry names); their name, the
    sort key, is looked up here."""
    statement = assigned_participant_rows(identity.user.id)
    if cursor is not None:
        (after_id,) = decode_cursor("participants", cursor, uuid.UUID)
        name = select(User.display_name).where(User.id == after_id).scalar_subquery()
        statement = statement.where(
            or_(User.display_name > name, and_(User.display_name == name, User.id > after_id))
        )
    rows = list(
        await session.execute(statement.order_by(User.display_name, User.id).limit(limit + 1))
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor("participants", [str(rows[-1].participant_id)])
    overviews = await build_overviews(session, rows)
    await record_reads(
        session, identity.actor, AuditAction.read_overview, [row.participant_id for row in rows]
    )
    return overviews, next_cursor


async def get_participant_overview(
    session: AsyncSession, identity: Identity, participant_id: uuid.UUID
) -> ParticipantOverview:
    row = (
        await session.execute(
            assigned_participant_rows(identity.user.id).where(User.id == participant_id)
        )
    ).first()
    if row is None:
        raise participant_not_found()
    (overview,) = await build_overviews(session, [row])
    await record_event(
        session, identity.actor, AuditAction.read_profile, participant_id=participant_id
    )
    return overview


async def list_participant_entries(
    session: AsyncSession,
    identity: Identity,
    participant_id: uuid.UUID,
    filters: journal.EntryListFilter,
    limit: int,
    cursor: str | None,
) -> tuple[list[ClinicianEntryRead], str | None]:
    """A page of the participant's entries, each marked unreviewed or not for this clinician."""
    await get_assigned_participant(session, identity.user.id, participant_id)
    rows, next_cursor = await journal.list_entries(session, participant_id, filters, limit, cursor)
    mark = await _find_review_mark(session, identity.user.id, participant_id)
    reviewed_change_seq = mark.reviewed_change_seq if mark else 0
    await record_event(
        session, identity.actor, AuditAction.read_entries, participant_id=participant_id
    )
    items = [{**row._asdict(), "unreviewed": row.change_seq > reviewed_change_seq} for row in rows]
    return CLINICIAN_ENTRIES.validate_python(items), next_cursor


async def get_participant_summary(
    session: AsyncSession,
    identity: Identity,
    participant_id: uuid.UUID,
    from_date: date | None,
    to_date: date | None,
    bucket: Bucket,
) -> Summary:
    user, _ = await get_assigned_participant(session, identity.user.id, participant_id)
    from_date, to_date = summary_range(from_date, to_date, user.timezone)
    summary = await summarize(session, participant_id, from_date, to_date, bucket)
    await record_event(
        session, identity.actor, AuditAction.read_summary, participant_id=participant_id
    )
    return summary


REVIEW_MARK_CLOCK_SKEW = timedelta(minutes=1)


async def _reviewed_change_seq(
    session: AsyncSession, participant_id: uuid.UUID, through: datetime
) -> int:
    """The highest change number up to which every change had reached the service by
    `through`: one below the first change made after it, else the newest change. An entry
    numbered at or below it is reviewed in its current form; anything later is not."""
    ours = JournalEntry.participant_id == participant_id
    first_later = (
        select(func.min(JournalEntry.change_seq) - 1)
        .where(ours, JournalEntry.updated_at > through)
        .scalar_subquery()
    )
    newest = select(func.max(JournalEntry.change_seq)).where(ours).scalar_subquery()
    statement = select(func.coalesce(first_later, newest, 0))
    return int((await session.execute(statement)).scalar_one())


async def _count_unreviewed(
    session: AsyncSession, participant_id: uuid.UUID, reviewed_change_seq: int
) -> int:
    later = visible_entries(participant_id).where(JournalEntry.change_seq > reviewed_change_seq)
    return int(
        (await session.execute(select(func.count()).select_from(later.subquery()))).scalar_one()
    )


async def _find_review_mark(
    session: AsyncSession, clinician_id: uuid.UUID, participant_id: uuid.UUID
) -> ReviewMark | None:
    return await session.get(ReviewMark, (participant_id, clinician_id), populate_existing=True)


async def set_review_mark(
    session: AsyncSession, identity: Identity, participant_id: uuid.UUID, mark: ReviewMarkUpdate
) -> ReviewMarkRead:
    """Everything the service had received or changed by `reviewed_through` counts as
    reviewed by this clinician; a mark in the future is refused."""
    await get_assigned_participant(session, identity.user.id, participant_id)
    now = utcnow()
    if mark.reviewed_through > now + REVIEW_MARK_CLOCK_SKEW:
        raise InvalidInput(
            "body.reviewed_through", "A review mark cannot be in the future.", "in-future"
        )
    through = min(mark.reviewed_through, now)
    reviewed_change_seq = await _reviewed_change_seq(session, participant_id, through)
    values = {"reviewed_through": through, "reviewed_change_seq": reviewed_change_seq}
    await session.execute(
        upsert_into(session, ReviewMark)
        .values(
            participant_id=participant_id, clinician_id=identity.user.id, updated_at=now, **values
        )
        .on_conflict_do_update(
            index_elements=[ReviewMark.participant_id, ReviewMark.clinician_id],
            set_={**values, "updated_at": now},
        )
    )
    unreviewed = await _count_unreviewed(session, participant_id, reviewed_change_seq)
    await record_event(
        session, identity.actor, AuditAction.review_mark, participant_id=participant_id
    )
    return ReviewMarkRead(
        participant_id=participant_id,
        reviewed_through=through,
        unreviewed=unreviewed,
        updated_at=now,
    )


async def get_review_mark(
    session: AsyncSession, identity: Identity, participant_id: uuid.UUID
) -> ReviewMarkRead:
    """The clinician's mark for the participant (or none) and what is unreviewed now."""
    await get_assigned_participant(session, identity.user.id, participant_id)
    mark = await _find_review_mark(session, identity.user.id, participant_id)
    unreviewed = await _count_unreviewed(
        session, participant_id, mark.reviewed_change_seq if mark else 0
    )
    await record_event(
        session, identity.actor, AuditAction.read_profile, participant_id=participant_id
    )
    return ReviewMarkRead(
        participant_id=participant_id,
        reviewed_through=mark.reviewed_through if mark else None,
        unreviewed=unreviewed,
        updated_at=mark.updated_at if mark else None,
    )
