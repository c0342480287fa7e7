"""Experience reports: a participant's own (report, list) and their care team's read."""

from fastapi import APIRouter, Response, status

from app.access import AssignedParticipant, OwnJournal
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.experience import service
from app.experience.schemas import (
    REPORT_READ_EXAMPLE,
    ExperienceReportCreate,
    ExperienceReportCreated,
    ExperienceReportPage,
)
from app.experience.service import ReportChanged, ReportIdUnavailable
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(tags=["journal"])
clinician_router = APIRouter(prefix="/v1/clinician/participants", tags=["clinician"])


@router.post(
    "/v1/me/experience-reports",
    response_model=ExperienceReportCreated,
    status_code=status.HTTP_201_CREATED,
    operation_id="createMyExperienceReport",
    summary="Report an unusual or adverse experience",
    responses={
        201: {
            "description": "Stored.",
            "headers": {
                "Location": {
                    "description": "Where the report is listed.",
                    "required": True,
                    "schema": {"type": "string"},
                    "example": "/v1/me/experience-reports",
                },
            },
        },
        200: {
            "model": ExperienceReportCreated,
            "description": "A retry: this id and content were stored before; nothing changed.",
        },
        **problem_responses(
            NotAuthenticated,
            Forbidden,
            ReportChanged,
            ReportIdUnavailable,
            BodyTooLarge,
            UnsupportedMediaType,
            InvalidInput,
            ServiceUnavailable,
        ),
    },
)
async def create_my_experience_report(
    body: ExperienceReportCreate, scope: OwnJournal, session: SessionDep, response: Response
) -> ExperienceReportCreated:
    """Report something unusual or adverse you experienced, how severe it was, and whether
    your care team may read your description (`shared`; they always see that you reported
    it, when, and its severity). Send your own `id` (a UUID) to make retries safe: the same
    id with the same content returns the stored report (`200`); with other content it is
    `409` `experience-report-changed`; an id someone else's report has is `409`
    `experience-report-id-unavailable`.

    The clinic's alert rules are evaluated with the report: when it raises an urgent alert
    for your care team, the answer carries `support` (the clinic's contacts; a retry of the
    same id answers the same). You are never shown the alert itself."""
    stored = await service.create_report(session, scope, body)
    if stored.created:
        response.headers["Location"] = "/v1/me/experience-reports"
    else:
        response.status_code = status.HTTP_200_OK
    read = service.to_report_read(stored.report)
    return ExperienceReportCreated(**read.model_dump(), support=stored.support)


@router.get(
    "/v1/me/experience-reports",
    response_model=ExperienceReportPage,
    operation_id="listMyExperienceReports",
    summary="List my experience reports, newest first",
    responses={
        200: json_example({"items": [REPORT_READ_EXAMPLE], "next_cursor": None}),
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def list_my_experience_reports(
    scope: OwnJournal,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> ExperienceReportPage:
    """Your reports, newest first by `occurred_at`, a page at a time (pass `next_cursor` as
    `cursor`)."""
    items, next_cursor = await service.list_reports(session, scope, limit, cursor)
    return ExperienceReportPage(items=items, next_cursor=next_cursor)


@clinician_router.get(
    "/{participant_id}/experience-reports",
    response_model=ExperienceReportPage,
    operation_id="listParticipantExperienceReports",
    summary="A participant's experience reports, newest first",
    responses={
        200: json_example(
            {
                "items": [{**REPORT_READ_EXAMPLE, "description": None, "shared": False}],
                "next_cursor": None,
            }
        ),
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def list_participant_experience_reports(
    scope: AssignedParticipant,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> ExperienceReportPage:
    """The unusual or adverse experiences a participant assigned to you now reported, newest
    first: when, how severe, and the description only where the participant shared it
    (`description: null` otherwise). The read is recorded in the participant's access log."""
    items, next_cursor = await service.list_reports(session, scope, limit, cursor)
    return ExperienceReportPage(items=items, next_cursor=next_cursor)
