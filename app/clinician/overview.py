"""The clinician's figures per participant, in a fixed number of queries for any count."""

import uuid
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    Row,
    Select,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Caseload
from app.assessments.queries import ASSESSMENTS
from app.care.models import CareAssignment, CareBackup
from app.clinician.attention import (
    after_attention,
    alert_figures,
    attention_cursor,
    attention_order,
    days_since,
    reasons,
)
from app.clinician.models import ReviewMark
from app.clinician.window import EMPTY, local_today, window_figures
from app.db import utcnow
from app.journal.queries import ENTRIES, live_entries_of_each
from app.pagination import decode_cursor, encode_cursor, page_of
from app.users.models import User

# A `ParticipantOverview`'s fields as built, ready for `pydantic_core.to_json`: a caseload's
# overviews are written out as they are (validating 200 of them into models and dumping
# them again was a sixth of an overview's CPU); tests/test_overview_attention.py checks that the
# answer is what the model gives.
Overview = dict[str, Any]
OverviewOrder = Literal["attention", "name"]


def overview_rows(
    caseload: Caseload, *, covering: bool = False, now: datetime | None = None
) -> Select[Any]:
    """The caseload as rows with each participant's profile, review mark, last entry time
    and unreviewed count: the figures that need no time window. `covering`: the
    participants the clinician covers as backup instead (since: their backup period's start).

    The last two are lookups per participant on the live-entries index (the newest row;
    the rows after the mark), not an aggregate over all their entries: 11 ms instead of
    180 ms for 200 participants with a year of entries each."""
    last_entry_at, last_local_date = (
        select(column)
        .where(live_entries_of_each())
        .order_by(ENTRIES.c.recorded_at.desc())
        .limit(1)
        .scalar_subquery()
        for column in (ENTRIES.c.recorded_at, ENTRIES.c.local_date)
    )
    unreviewed = (
        select(func.count())
        .select_from(ENTRIES)
        .where(
            live_entries_of_each(),
            # Received or changed after the mark, however old `recorded_at` is.
            ENTRIES.c.change_seq > func.coalesce(ReviewMark.reviewed_change_seq, 0),
        )
        .scalar_subquery()
    )
    since = CareBackup.started_at if covering else CareAssignment.started_at
    participants = caseload.covered_participants() if covering else caseload.participants()
    return participants.outerjoin(
        ReviewMark,
        and_(
            Caseload.of_each(ReviewMark),
            ReviewMark.clinician_id == caseload.clinician_id,
        ),
    ).with_only_columns(
        User.id.label("participant_id"),
        User.display_name,
        User.timezone,
        since.label("assigned_since"),
        ReviewMark.reviewed_through,
        last_entry_at.label("last_entry_at"),
        last_local_date.label("last_local_date"),
        unreviewed.label("unreviewed"),
        *alert_figures(now or utcnow()),
    )


def _participants_cursor(row: Row[Any]) -> str:
    # The id only: a URL must not carry names. The name, the sort key, is looked up again.
    return encode_cursor("participants", [str(row.participant_id)])


async def caseload_page(
    session: AsyncSession,
    caseload: Caseload,
    limit: int,
    cursor: str | None,
    order: OverviewOrder = "attention",
    name_contains: str | None = None,
) -> tuple[list[Row[Any]], str | None]:
    """A page of `overview_rows`, in attention order (app/clinician/attention.py) or by
    display name; `name_contains`: only display names containing it, in any case."""
    statement = overview_rows(caseload)
    if name_contains:
        statement = statement.where(User.display_name.icontains(name_contains, autoescape=True))
    columns = {column.name: column for column in statement.selected_columns}
    if order == "attention":
        if cursor is not None:
            statement = statement.where(after_attention(columns, cursor))
        statement = statement.order_by(*attention_order(columns))
        make_cursor = attention_cursor
    else:
        if cursor is not None:
            (after_id,) = decode_cursor("participants", cursor, uuid.UUID)
            name = select(User.display_name).where(User.id == after_id).scalar_subquery()
            statement = statement.where(
                or_(User.display_name > name, and_(User.display_name == name, User.id > after_id))
            )
        statement = statement.order_by(User.display_name, User.id)
        make_cursor = _participants_cursor
    rows, next_cursor = page_of(
        list(await session.execute(statement.limit(limit + 1))), limit, make_cursor
    )
    caseload.remember(row.participant_id for row in rows)
    return rows, next_cursor


async def _latest_scores(
    session: AsyncSession, caseload: Caseload, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each participant's latest assessment of each instrument: total, band, when."""
    other = ASSESSMENTS.alias("later")
    later = (
        select(other.c.id)
        .where(
            other.c.participant_id == ASSESSMENTS.c.participant_id,
            other.c.instrument == ASSESSMENTS.c.instrument,
            other.c.completed_at > ASSESSMENTS.c.completed_at,
        )
        .exists()
    )
    columns = ("instrument", "total", "band", "completed_at")
    statement = (
        caseload.select(
            ASSESSMENTS,
            ASSESSMENTS.c.participant_id,
            *(ASSESSMENTS.c[name] for name in columns),
            among=ids,
        )
        .where(~later)
        .order_by(ASSESSMENTS.c.participant_id, ASSESSMENTS.c.instrument)
    )
    latest: dict[uuid.UUID, dict[str, dict[str, Any]]] = {}
    for participant_id, *values in await session.execute(statement):
        # Two at the same instant: either is the latest; one is shown.
        latest.setdefault(participant_id, {}).setdefault(
            values[0], dict(zip(columns, values, strict=True))
        )
    return {key: list(scores.values()) for key, scores in latest.items()}


async def build_overviews(
    session: AsyncSession,
    caseload: Caseload,
    participants: list[Row[Any]],
    *,
    with_scores: bool = True,
) -> list[Overview]:
    """Figures for rows of `overview_rows`, with two more queries (the window's aggregates,
    and the latest scores; without `with_scores`, not that one, and no `latest_scores`)."""
    if not participants:
        return []
    now = utcnow()
    windows = await window_figures(session, caseload, participants, now)
    scores = None
    if with_scores:
        ids = [participant.participant_id for participant in participants]
        scores = await _latest_scores(session, caseload, ids)
    fields = participants[0]._fields  # once: Row._asdict() per row cost a fifth of the CPU
    overviews = []
    for participant in participants:
        window = windows.get(participant.participant_id, EMPTY)
        overview = dict(zip(fields, participant, strict=True))
        overview["entries_7d"] = window.entries_7d
        overview["logged_days_14d"] = window.logged_days_14d
        overview.update(window.trends)
        overview["open_alerts"] = {
            "urgent": overview.pop("urgent_alerts"),
            "routine": overview.pop("routine_alerts"),
        }
        today = local_today(overview["timezone"], now)
        overview["days_since_last_entry"] = days_since(overview.pop("last_local_date"), today)
        if scores is not None:
            overview["latest_scores"] = scores.get(participant.participant_id, [])
        overview["attention_reasons"] = reasons(overview)
        overviews.append(overview)
    return overviews
