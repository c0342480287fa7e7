"""Review of the participants assigned to the calling clinician now. Clinicians only."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from pydantic_core import to_json

from app.access import AssignedParticipant, CaseloadDep, PrimaryClinicianOnly, PrimaryParticipant
from app.clinician import notes, service
from app.clinician.notes import NoteNotSupersedable
from app.clinician.overview import OverviewOrder
from app.clinician.schemas import (
    NOTE_EXAMPLE,
    OVERVIEW_EXAMPLE,
    ClinicianEntryPage,
    ClinicianNoteCreate,
    ClinicianNotePage,
    ClinicianNoteRead,
    ParticipantOverview,
    ParticipantOverviewPage,
    ReviewMarkRead,
    ReviewMarkUpdate,
)
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.journal.params import BucketQuery, FromDate, FromInstant, TagQuery, ToInstant
from app.journal.reads import EntryListFilter
from app.journal.schemas import ENTRY_READ_EXAMPLE, Summary
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from app.schemas import IsoDate

router = APIRouter(prefix="/v1/clinician/participants", tags=["clinician"])

ClinicianToDate = Annotated[
    IsoDate | None,
    Query(alias="to", description="Last local date (inclusive); default: the participant's today."),
]


@router.get(
    "",
    response_model=ParticipantOverviewPage,
    operation_id="listAssignedParticipants",
    summary="My participants, with their recent figures",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "items": [OVERVIEW_EXAMPLE],
                        "next_cursor": "WyJwYXJ0aWNpcGFudHMiXQ",
                    }
                }
            }
        },
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def list_assigned_participants(
    caseload: CaseloadDep,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
    order: Annotated[
        OverviewOrder,
        Query(
            description="`attention` (the default): unresolved urgent alerts, overdue alerts, "
            "unresolved routine alerts, unreviewed entries (each most first), then display "
            "name; `name`: by display name."
        ),
    ] = "attention",
) -> Response:
    """Each participant assigned to you now: last entry time; over the participant's own
    local days (today included), days since the last entry, days logged in the last 14,
    entries in the last 7, and per dimension the 7-day mean and its change against the 28
    days before; how many entries you have not reviewed, open and overdue alerts, and
    `attention_reasons`.

    Ordered by a documented lexicographic **attention** order of those plain counts (never
    an opaque risk score), or by name. Descriptive statistics only. Follow `next_cursor`
    for the next page with the same `order`; counts that change meanwhile can move a
    participant between pages."""
    items, next_cursor = await service.list_assigned_participants(
        session, caseload, limit, cursor, order
    )
    # A `ParticipantOverviewPage`, written straight from the built figures (see `Overview`).
    page = to_json({"items": items, "next_cursor": next_cursor})
    return Response(page, media_type="application/json")


@router.get(
    "/{participant_id}",
    response_model=ParticipantOverview,
    operation_id="getAssignedParticipant",
    summary="One of my participants",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def get_assigned_participant(
    scope: AssignedParticipant, caseload: CaseloadDep, session: SessionDep
) -> ParticipantOverview:
    """Profile and figures of a participant assigned to you now; `404` otherwise, exactly as
    for an unknown id. The read is recorded in the participant's access log."""
    return await service.get_participant_overview(session, caseload, scope)


@router.get(
    "/{participant_id}/entries",
    response_model=ClinicianEntryPage,
    operation_id="listParticipantEntries",
    summary="A participant's entries, newest first",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "items": [{**ENTRY_READ_EXAMPLE, "unreviewed": True}],
                        "next_cursor": "WyJlbnRyaWVzIl0",
                    }
                }
            }
        },
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def list_participant_entries(
    scope: AssignedParticipant,
    session: SessionDep,
    recorded_from: FromInstant = None,
    recorded_to: ToInstant = None,
    tag: TagQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> ClinicianEntryPage:
    """Entries of a participant assigned to you now, newest first, a page at a time (pass
    `next_cursor` as `cursor`, with the same filters). Each says whether it is `unreviewed`
    by you: received or changed after your review mark. The read is recorded in the
    participant's access log."""
    filters = EntryListFilter(recorded_from, recorded_to, tag)
    entries, next_cursor = await service.list_participant_entries(
        session, scope, filters, limit, cursor
    )
    return ClinicianEntryPage(items=entries, next_cursor=next_cursor)


@router.get(
    "/{participant_id}/summary",
    response_model=Summary,
    operation_id="getParticipantSummary",
    summary="Descriptive statistics of a participant's entries",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def get_participant_summary(
    scope: AssignedParticipant,
    session: SessionDep,
    from_date: FromDate = None,
    to_date: ClinicianToDate = None,
    bucket: BucketQuery = "day",
) -> Summary:
    """Count, mean, minimum and maximum per dimension over the participant's local dates
    `from`..`to` (default: their last 30 days), with a series by day or ISO week. `from`
    after `to` is `422`. Descriptive statistics only; the read is recorded in the
    participant's access log."""
    return await service.get_participant_summary(session, scope, from_date, to_date, bucket)


@router.put(
    "/{participant_id}/review-mark",
    response_model=ReviewMarkRead,
    operation_id="setReviewMark",
    summary="Mark a participant's entries as reviewed",
    responses=problem_responses(
        NotAuthenticated,
        Forbidden,
        PrimaryClinicianOnly,
        NotFound,
        BodyTooLarge,
        UnsupportedMediaType,
        InvalidInput,
        ServiceUnavailable,
    ),
)
async def set_review_mark(
    scope: PrimaryParticipant,
    body: ReviewMarkUpdate,
    session: SessionDep,
) -> ReviewMarkRead:
    """Everything the service had received or changed by `reviewed_through` counts as
    reviewed by you: an entry uploaded later (an offline app sends yesterday's entry today)
    or edited after the mark is unreviewed again, whatever its `recorded_at`. A mark in the
    future is `422`. The answer says how many entries remain unreviewed. Setting it again
    replaces the mark."""
    return await service.set_review_mark(session, scope, body)


@router.get(
    "/{participant_id}/review-mark",
    response_model=ReviewMarkRead,
    operation_id="getReviewMark",
    summary="My review mark for a participant",
    responses=problem_responses(
        NotAuthenticated,
        Forbidden,
        PrimaryClinicianOnly,
        NotFound,
        InvalidInput,
        ServiceUnavailable,
    ),
)
async def get_review_mark(scope: PrimaryParticipant, session: SessionDep) -> ReviewMarkRead:
    """Your review mark (`reviewed_through: null` when you have set none) and how many
    entries are unreviewed by you now. The read is recorded in the participant's access log."""
    return await service.get_review_mark(session, scope)


@router.post(
    "/{participant_id}/notes",
    response_model=ClinicianNoteRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="writeClinicianNote",
    summary="Write a note about a participant",
    responses={
        201: {
            "description": "Written.",
            "headers": {
                "Location": {
                    "description": "The note's URL.",
                    "required": True,
                    "schema": {"type": "string"},
                }
            },
        },
        **problem_responses(
            NotAuthenticated,
            Forbidden,
            NotFound,
            NoteNotSupersedable,
            BodyTooLarge,
            UnsupportedMediaType,
            InvalidInput,
            ServiceUnavailable,
        ),
    },
)
async def write_clinician_note(
    scope: AssignedParticipant, body: ClinicianNoteCreate, session: SessionDep, response: Response
) -> ClinicianNoteRead:
    """Write down what you saw and did. Notes are append-only: there is no edit and no
    delete; correct a note with a new one that `supersedes` it (both are kept, the earlier
    shown as superseded; `409` if it already is, or is not this participant's). With
    `visibility: participant` the participant reads it too. The audit trail records that
    you wrote (or superseded) a note, never its text."""
    note = await notes.write_note(session, scope, body)
    response.headers["Location"] = (
        f"/v1/clinician/participants/{scope.participant_id}/notes/{note.id}"
    )
    return note


@router.get(
    "/{participant_id}/notes/{note_id}",
    response_model=ClinicianNoteRead,
    operation_id="getClinicianNote",
    summary="One note about a participant",
    responses={
        200: json_example(NOTE_EXAMPLE),
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def get_clinician_note(
    scope: AssignedParticipant,
    note_id: Annotated[uuid.UUID, Path(description="The note's id.")],
    session: SessionDep,
) -> ClinicianNoteRead:
    """One note, with what supersedes it; `404` for any note not about this participant.
    The read is recorded in the participant's access log."""
    return await service.get_participant_note(session, scope, note_id)


@router.get(
    "/{participant_id}/notes",
    response_model=ClinicianNotePage,
    operation_id="listClinicianNotes",
    summary="The care team's notes about a participant",
    responses={
        200: json_example({"items": [NOTE_EXAMPLE], "next_cursor": None}),
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def list_clinician_notes(
    scope: AssignedParticipant,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> ClinicianNotePage:
    """Every note about the participant, newest first, superseded ones included and marked
    (`superseded_by`). The read is recorded in the participant's access log."""
    items, next_cursor = await service.list_participant_notes(session, scope, limit, cursor)
    return ClinicianNotePage(items=items, next_cursor=next_cursor)
