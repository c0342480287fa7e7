"""What a clinician reads of the participants assigned to them; every read is audited."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import AuditAction, record_event, record_reads
from app.auth.identity import Identity
from app.clinician.access import get_assigned_participant, participant_not_found
from app.clinician.models import ReviewMark
from app.clinician.overview import assigned_participant_rows, build_overviews
from app.clinician.schemas import ParticipantOverview, ReviewMarkRead, ReviewMarkUpdate
from app.db import upsert_into, utcnow
from app.journal import service as journal
from app.journal.access import visible_entries
from app.journal.models import JournalEntry
from app.journal.schemas import Summary
from app.journal.stats import Bucket, summarize, summary_range
from app.pagination import bad_cursor, decode_cursor, encode_cursor
from app.users.models import User


async def list_assigned_participants(
    session: AsyncSession, identity: Identity, limit: int, cursor: str | None
) -> tuple[list[ParticipantOverview], str | None]:
    """The clinician's participants by display name, each with their figures."""
    statement = assigned_participant_rows(identity.user.id)
    if cursor is not None:
        name, last_id = decode_cursor("participants", cursor, 2)
        try:
            after_id = uuid.UUID(last_id)
        except (TypeError, ValueError, AttributeError) as exc:
            raise bad_cursor() from exc
        statement = statement.where(
            or_(User.display_name > name, and_(User.display_name == name, User.id > after_id))
        )
    rows = list(
        await session.execute(statement.order_by(User.display_name, User.id).limit(limit + 1))
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(
            "participants", [rows[-1].display_name, str(rows[-1].participant_id)]
        )
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
) -> tuple[list[Row[Any]], str | None]:
    await get_assigned_participant(session, identity.user.id, participant_id)
    page = await journal.list_entries(session, participant_id, filters, limit, cursor)
    await record_event(
        session, identity.actor, AuditAction.read_entries, participant_id=participant_id
    )
    return page


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


async def set_review_mark(
    session: AsyncSession, identity: Identity, participant_id: uuid.UUID, mark: ReviewMarkUpdate
) -> ReviewMarkRead:
    """Everything recorded up to `reviewed_through` counts as reviewed by this clinician."""
    await get_assigned_participant(session, identity.user.id, participant_id)
    now = utcnow()
    values = {
        "participant_id": participant_id,
        "clinician_id": identity.user.id,
        "reviewed_through": mark.reviewed_through,
        "updated_at": now,
    }
    await session.execute(
        upsert_into(session, ReviewMark)
        .values(**values)
        .on_conflict_do_update(
            index_elements=[ReviewMark.participant_id, ReviewMark.clinician_id],
            set_={"reviewed_through": mark.reviewed_through, "updated_at": now},
        )
    )
    unreviewed = (
        await session.execute(
            select(func.count()).select_from(
                visible_entries(participant_id)
                .where(JournalEntry.recorded_at > mark.reviewed_through)
                .subquery()
            )
        )
    ).scalar_one()
    await record_event(
        session, identity.actor, AuditAction.review_mark, participant_id=participant_id
    )
    return ReviewMarkRead(
        participant_id=participant_id,
        reviewed_through=mark.reviewed_through,
        unreviewed=unreviewed,
    )
