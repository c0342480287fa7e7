import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from app.clinician import service
from app.clinician.schemas import ParticipantOverview, ReviewMarkRead, ReviewMarkUpdate
from app.db import SessionDep
from app.dependencies import ClinicianIdentity
from app.errors import problem_responses
from app.journal.router import FromInstant, ToInstant
from app.journal.schemas import EntryRead, Summary
from app.journal.service import EntryListFilter, to_entry_read
from app.journal.stats import Bucket
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page

router = APIRouter(prefix="/v1/clinician/participants", tags=["clinician"])


@router.get(
    "",
    response_model=Page[ParticipantOverview],
    operation_id="listAssignedParticipants",
    summary="My participants, with their recent figures",
    responses=problem_responses(401, 403, 422),
)
async def list_assigned_participants(
    identity: ClinicianIdentity,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[ParticipantOverview]:
    """Each participant assigned to you now, by display name: last entry time, entries in
    the last 7 days, 7-day means per dimension and their change against the 28 days before,
    and how many entries you have not reviewed. Descriptive statistics only."""
    items, next_cursor = await service.list_assigned_participants(session, identity, limit, cursor)
    return Page(items=items, next_cursor=next_cursor)


@router.get(
    "/{participant_id}",
    response_model=ParticipantOverview,
    operation_id="getAssignedParticipant",
    summary="One of my participants",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_assigned_participant(
    participant_id: uuid.UUID, identity: ClinicianIdentity, session: SessionDep
) -> ParticipantOverview:
    """Profile and figures of a participant assigned to you now; `404` otherwise."""
    return await service.get_participant_overview(session, identity, participant_id)


@router.get(
    "/{participant_id}/entries",
    response_model=Page[EntryRead],
    operation_id="listParticipantEntries",
    summary="A participant's entries, newest first",
    responses=problem_responses(401, 403, 404, 422),
)
async def list_participant_entries(
    participant_id: uuid.UUID,
    identity: ClinicianIdentity,
    session: SessionDep,
    recorded_from: FromInstant = None,
    recorded_to: ToInstant = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[EntryRead]:
    """Entries of a participant assigned to you now, newest first, a page at a time.
    The read is recorded in the participant's access log."""
    entries, next_cursor = await service.list_participant_entries(
        session,
        identity,
        participant_id,
        EntryListFilter(recorded_from, recorded_to),
        limit,
        cursor,
    )
    return Page(items=[to_entry_read(e) for e in entries], next_cursor=next_cursor)


@router.get(
    "/{participant_id}/summary",
    response_model=Summary,
    operation_id="getParticipantSummary",
    summary="Descriptive statistics of a participant's entries",
    responses=problem_responses(401, 403, 404, 422),
)
async def get_participant_summary(
    participant_id: uuid.UUID,
    identity: ClinicianIdentity,
    session: SessionDep,
    from_date: Annotated[date | None, Query(alias="from")] = None,
    to_date: Annotated[date | None, Query(alias="to")] = None,
    bucket: Bucket = "day",
) -> Summary:
    """Count, mean, minimum and maximum per dimension over the participant's local dates
    `from`..`to` (default: their last 30 days), with a series by day or ISO week."""
    return await service.get_participant_summary(
        session, identity, participant_id, from_date, to_date, bucket
    )


@router.put(
    "/{participant_id}/review-mark",
    response_model=ReviewMarkRead,
    operation_id="setReviewMark",
    summary="Mark a participant's entries as reviewed",
    responses=problem_responses(401, 403, 404, 413, 415, 422),
)
async def set_review_mark(
    participant_id: uuid.UUID,
    body: ReviewMarkUpdate,
    identity: ClinicianIdentity,
    session: SessionDep,
) -> ReviewMarkRead:
    """Everything recorded up to `reviewed_through` counts as reviewed by you."""
    return await service.set_review_mark(session, identity, participant_id, body)
