"""Reading a participant's assessments: one, a page (newest first), and what is due."""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, Select, func
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.assessments.gate import GATED, phq9_gate_problem
from app.assessments.queries import ASSESSMENTS, SCHEDULES, to_assessment_reads
from app.assessments.schemas import AssessmentRead, DueRead
from app.db import utcnow
from app.errors import NotFound
from app.pagination import (
    before_instant,
    decode_instant_cursor,
    encode_instant_cursor,
    fetch_page,
)

CURSOR_KIND = "assessments"
COLUMNS = ASSESSMENTS.c


@dataclass(frozen=True)
class AssessmentFilter:
    instrument: str | None = None
    completed_from: datetime | None = None
    completed_to: datetime | None = None


def assessment_not_found() -> NotFound:
    return NotFound("No such assessment.")


def assessments_of(scope: ParticipantScope) -> Select[Any]:
    return scope.select(ASSESSMENTS)


async def find_assessment(
    session: AsyncSession, scope: ParticipantScope, assessment_id: uuid.UUID
) -> Mapping[str, Any] | None:
    """One assessment of the participant, or None."""
    statement = assessments_of(scope).where(COLUMNS.id == assessment_id)
    row = (await session.execute(statement)).first()
    return row._mapping if row is not None else None


async def get_assessment(
    session: AsyncSession, scope: ParticipantScope, assessment_id: uuid.UUID
) -> AssessmentRead:
    row = await find_assessment(session, scope, assessment_id)
    if row is None:
        raise assessment_not_found()
    (read,) = to_assessment_reads([row])
    return read


def _cursor(row: Row[Any]) -> str:
    return encode_instant_cursor(CURSOR_KIND, row.completed_at, row.id)


async def list_assessments(
    session: AsyncSession,
    scope: ParticipantScope,
    filters: AssessmentFilter,
    limit: int,
    cursor: str | None,
) -> tuple[list[AssessmentRead], str | None]:
    """Newest first by `completed_at`, keyset-paginated on (completed_at, id)."""
    statement = assessments_of(scope).order_by(COLUMNS.completed_at.desc(), COLUMNS.id.desc())
    if filters.instrument is not None:
        statement = statement.where(COLUMNS.instrument == filters.instrument)
    if filters.completed_from is not None:
        statement = statement.where(COLUMNS.completed_at >= filters.completed_from)
    if filters.completed_to is not None:
        statement = statement.where(COLUMNS.completed_at < filters.completed_to)
    if cursor is not None:
        after = decode_instant_cursor(CURSOR_KIND, cursor)
        statement = statement.where(before_instant(COLUMNS.completed_at, COLUMNS.id, *after))
    rows, next_cursor = await fetch_page(session, statement, limit, _cursor)
    return to_assessment_reads([row._mapping for row in rows]), next_cursor


def due_read(schedule: Any, completed_at: datetime | None, now: datetime) -> DueRead | None:
    """A schedule's instrument if it is due at `now`: `every_days` after the last
    completion, or since it was first asked for when never completed."""
    since = (
        schedule.created_at
        if completed_at is None
        else completed_at + timedelta(days=schedule.every_days)
    )
    if since > now:
        return None
    return DueRead(
        instrument=schedule.instrument,
        every_days=schedule.every_days,
        last_completed_at=completed_at,
        due_since=since,
    )


async def list_due(session: AsyncSession, scope: ParticipantScope) -> list[DueRead]:
    """The instruments asked for at a schedule that are due now: never completed, or
    `every_days` passed since the last one. PHQ-9 is left out while the clinic cannot
    respond to its item 9."""
    schedules = list(
        await session.execute(scope.select(SCHEDULES).order_by(SCHEDULES.c.instrument))
    )
    if not schedules:
        return []
    last_statement = scope.select(
        ASSESSMENTS, COLUMNS.instrument, func.max(COLUMNS.completed_at)
    ).group_by(COLUMNS.instrument)
    last = {instrument: at for instrument, at in await session.execute(last_statement)}
    now = utcnow()
    due = []
    for schedule in schedules:
        if schedule.instrument == GATED and await phq9_gate_problem(session, scope) is not None:
            continue
        read = due_read(schedule, last.get(schedule.instrument), now)
        if read is not None:
            due.append(read)
    return due
