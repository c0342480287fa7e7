"""The clinician's figures per participant, in a fixed number of queries for any count."""

import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import (
    ColumnElement,
    Float,
    Numeric,
    Row,
    Select,
    and_,
    case,
    cast,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.models import CareAssignment
from app.clinician.access import assigned_participants
from app.clinician.models import ReviewMark
from app.clinician.schemas import ParticipantOverview
from app.db import utcnow
from app.journal.models import RATING_COLUMNS, JournalEntry
from app.users.models import User

RECENT = timedelta(days=7)
PRIOR = timedelta(days=28)
OVERVIEWS = TypeAdapter(list[ParticipantOverview])
TREND_FIELDS = ("mean_7d", "mean_prior_28d", "change")


def assigned_participant_rows(clinician_id: uuid.UUID) -> Select[Any]:
    """The clinician's participants as rows with their profile, review mark, last entry
    time and unreviewed count: the figures that need no time window.

    The last two are lookups per participant on the live-entries index (the newest row;
    the rows after the mark), not an aggregate over all their entries: 11 ms instead of
    180 ms for 200 participants with a year of entries each."""
    live = and_(JournalEntry.participant_id == User.id, JournalEntry.deleted_at.is_(None))
    last_entry_at = (
        select(JournalEntry.recorded_at)
        .where(live)
        .order_by(JournalEntry.recorded_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    unreviewed = (
        select(func.count())
        .select_from(JournalEntry)
        .where(
            live,
            # Received or changed after the mark, however old `recorded_at` is.
            JournalEntry.change_seq > func.coalesce(ReviewMark.reviewed_change_seq, 0),
        )
        .scalar_subquery()
    )
    return (
        assigned_participants(clinician_id)
        .outerjoin(
            ReviewMark,
            and_(ReviewMark.participant_id == User.id, ReviewMark.clinician_id == clinician_id),
        )
        .with_only_columns(
            User.id.label("participant_id"),
            User.display_name,
            User.timezone,
            CareAssignment.started_at.label("assigned_since"),
            ReviewMark.reviewed_through,
            last_entry_at.label("last_entry_at"),
            unreviewed.label("unreviewed"),
        )
    )


def _rounded(value: ColumnElement[Any]) -> ColumnElement[float]:
    return cast(func.round(cast(value, Numeric), 2), Float)


async def _window_figures(
    session: AsyncSession, ids: list[uuid.UUID], now: datetime
) -> dict[uuid.UUID, Row[Any]]:
    """Entries in the last 7 days, and per dimension the 7-day mean, the mean of the 28 days
    before and the change, rounded in SQL; reads only the last 35 days' rows."""
    recent_start, prior_start = now - RECENT, now - RECENT - PRIOR
    is_recent = JournalEntry.recorded_at >= recent_start
    figures: list[ColumnElement[Any]] = [func.sum(case((is_recent, 1), else_=0))]
    for name in RATING_COLUMNS:
        column = getattr(JournalEntry, name)
        recent = _rounded(func.avg(case((is_recent, column))))
        prior = _rounded(func.avg(case((~is_recent, column))))
        figures += [recent, prior, _rounded(recent - prior)]
    statement = (
        select(JournalEntry.participant_id, *figures)
        .where(
            JournalEntry.participant_id.in_(ids),
            JournalEntry.deleted_at.is_(None),
            JournalEntry.recorded_at >= prior_start,
            JournalEntry.recorded_at <= now,
        )
        .group_by(JournalEntry.participant_id)
    )
    return {row[0]: row for row in await session.execute(statement)}


NO_WINDOW: tuple[Any, ...] = (None, 0, *(None,) * (3 * len(RATING_COLUMNS)))


async def build_overviews(
    session: AsyncSession, participants: list[Row[Any]]
) -> list[ParticipantOverview]:
    """Figures for rows of `assigned_participant_rows`, with one more aggregate query."""
    if not participants:
        return []
    windows = await _window_figures(session, [p.participant_id for p in participants], utcnow())
    fields = participants[0]._fields  # once: Row._asdict() per row cost a fifth of the CPU
    overviews = []
    for participant in participants:
        window = windows.get(participant[0], NO_WINDOW)
        overview = dict(zip(fields, participant, strict=True))
        overview["entries_7d"] = window[1] or 0
        for position, name in enumerate(RATING_COLUMNS):
            first = 2 + 3 * position  # after participant_id and entries_7d
            overview[name] = dict(zip(TREND_FIELDS, window[first : first + 3], strict=True))
        overviews.append(overview)
    return OVERVIEWS.validate_python(overviews)
