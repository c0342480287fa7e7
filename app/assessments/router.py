"""A participant's own assessments: submit, list, read one, and what is due. Participants only."""

from fastapi import APIRouter, Response, status

from app.access import OwnJournal
from app.assessments import reads, service
from app.assessments.gate import Phq9NeedsSelfHarmRule, Phq9NeedsSupportResources
from app.assessments.params import AssessmentId, FromInstant, InstrumentQuery, ToInstant
from app.assessments.queries import to_assessment_read
from app.assessments.schemas import (
    ASSESSMENT_READ_EXAMPLE,
    DUE_EXAMPLE,
    AssessmentCreate,
    AssessmentCreated,
    AssessmentPage,
    AssessmentRead,
    DueRead,
)
from app.assessments.service import AssessmentChanged, AssessmentIdUnavailable
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(prefix="/v1/me/assessments", tags=["journal"])


@router.post(
    "",
    response_model=AssessmentCreated,
    status_code=status.HTTP_201_CREATED,
    operation_id="createMyAssessment",
    summary="Submit a completed questionnaire",
    responses={
        201: {
            "description": "Scored and stored.",
            "headers": {
                "Location": {
                    "description": "The new assessment's URL.",
                    "required": True,
                    "schema": {"type": "string"},
                    "example": f"/v1/me/assessments/{ASSESSMENT_READ_EXAMPLE['id']}",
                },
            },
        },
        200: {
            "model": AssessmentCreated,
            "description": "A retry: this id and content were stored before; nothing changed.",
        },
        **problem_responses(
            NotAuthenticated,
            Forbidden,
            AssessmentChanged,
            AssessmentIdUnavailable,
            Phq9NeedsSupportResources,
            Phq9NeedsSelfHarmRule,
            BodyTooLarge,
            UnsupportedMediaType,
            InvalidInput,
            ServiceUnavailable,
        ),
    },
)
async def create_my_assessment(
    body: AssessmentCreate, scope: OwnJournal, session: SessionDep, response: Response
) -> AssessmentCreated:
    """Submit your answers to a validated instrument (`GET /v1/instruments`), in item order:
    exactly one per item (`422` `wrong-number-of-answers`), each the value of one of its
    options (`422` `answer-not-an-option`). The server scores them and stores the total,
    severity band and flags with the instrument's version; `version`, if sent, must be the
    current one (`422` `unknown-instrument-version`). Nothing is stored on a `422`.

    Send your own `id` (a UUID) to make retries safe: the same id with the same content
    returns the stored assessment (`200`); the same id with other content is `409`
    `assessment-changed`; an id someone else's assessment has is `409`
    `assessment-id-unavailable`.

    **PHQ-9** is available only while your clinic can respond to its item 9: while the clinic
    has entered no support contacts it is `409` `phq9-needs-support-resources`, and while no
    enabled alert rule on its `self_harm_thoughts` flag applies to you it is `409`
    `phq9-needs-self-harm-rule`. PHQ-8 is always available.

    The clinic's alert rules are evaluated with the assessment: when it raises an urgent
    alert for your care team, the answer carries `support` (the clinic's contacts; a retry
    of the same id answers the same). You are never shown the alert itself."""
    stored = await service.create_assessment(session, scope, body)
    if stored.created:
        response.headers["Location"] = f"/v1/me/assessments/{stored.assessment['id']}"
    else:
        response.status_code = status.HTTP_200_OK
    read = to_assessment_read(stored.assessment)
    return AssessmentCreated(**read.model_dump(), support=stored.support)


@router.get(
    "",
    response_model=AssessmentPage,
    operation_id="listMyAssessments",
    summary="List my assessments, newest first",
    responses={
        200: json_example({"items": [ASSESSMENT_READ_EXAMPLE], "next_cursor": None}),
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def list_my_assessments(
    scope: OwnJournal,
    session: SessionDep,
    instrument: InstrumentQuery = None,
    completed_from: FromInstant = None,
    completed_to: ToInstant = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> AssessmentPage:
    """Your assessments, newest first by `completed_at`, a page at a time (pass
    `next_cursor` as `cursor`, with the same filters)."""
    filters = reads.AssessmentFilter(instrument, completed_from, completed_to)
    items, next_cursor = await reads.list_assessments(session, scope, filters, limit, cursor)
    return AssessmentPage(items=items, next_cursor=next_cursor)


@router.get(
    "/due",
    response_model=list[DueRead],
    operation_id="listMyDueAssessments",
    summary="The questionnaires my clinician asks for that are due",
    responses={
        200: json_example([DUE_EXAMPLE]),
        **problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
    },
)
async def list_my_due_assessments(scope: OwnJournal, session: SessionDep) -> list[DueRead]:
    """Each instrument your clinician asks for at a schedule that is due now: never
    completed (due since it was first asked for), or `every_days` days have passed since you
    last completed it. PHQ-9 is not listed while it is not available (see
    `POST /v1/me/assessments`)."""
    return await reads.list_due(session, scope)


@router.get(
    "/{assessment_id}",
    response_model=AssessmentRead,
    operation_id="getMyAssessment",
    summary="One of my assessments",
    responses={
        200: json_example(ASSESSMENT_READ_EXAMPLE),
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def get_my_assessment(
    assessment_id: AssessmentId, scope: OwnJournal, session: SessionDep
) -> AssessmentRead:
    """One of your assessments; `404` for any other id."""
    return await reads.get_assessment(session, scope, assessment_id)
