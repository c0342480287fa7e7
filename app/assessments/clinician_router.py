"""A clinician's view of an assigned participant's assessments, and the schedules at which
they are asked for each instrument."""

from fastapi import APIRouter, Response, status

from app.access import AssignedParticipant, PrimaryClinicianOnly, PrimaryParticipant
from app.assessments import reads, schedules
from app.assessments.gate import Phq9NeedsSelfHarmRule, Phq9NeedsSupportResources
from app.assessments.params import FromInstant, InstrumentPath, InstrumentQuery, ToInstant
from app.assessments.schemas import (
    ASSESSMENT_READ_EXAMPLE,
    SCHEDULE_EXAMPLE,
    AssessmentPage,
    AssessmentScheduleRead,
    AssessmentScheduleUpdate,
)
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(prefix="/v1/clinician/participants", tags=["clinician"])


@router.get(
    "/{participant_id}/assessments",
    response_model=AssessmentPage,
    operation_id="listParticipantAssessments",
    summary="A participant's assessments, newest first",
    responses={
        200: json_example({"items": [ASSESSMENT_READ_EXAMPLE], "next_cursor": None}),
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def list_participant_assessments(
    scope: AssignedParticipant,
    session: SessionDep,
    instrument: InstrumentQuery = None,
    completed_from: FromInstant = None,
    completed_to: ToInstant = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> AssessmentPage:
    """Assessments of a participant assigned to you now, newest first, with their answers,
    totals, bands and flags, a page at a time (pass `next_cursor` as `cursor`, with the same
    filters). Bands describe scores. The read is recorded in the participant's access log."""
    filters = reads.AssessmentFilter(instrument, completed_from, completed_to)
    items, next_cursor = await schedules.list_participant_assessments(
        session, scope, filters, limit, cursor
    )
    return AssessmentPage(items=items, next_cursor=next_cursor)


@router.get(
    "/{participant_id}/assessment-schedules",
    response_model=list[AssessmentScheduleRead],
    operation_id="listAssessmentSchedules",
    summary="The questionnaires a participant is asked for",
    responses={
        200: json_example([SCHEDULE_EXAMPLE]),
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def list_assessment_schedules(
    scope: AssignedParticipant, session: SessionDep
) -> list[AssessmentScheduleRead]:
    """Each instrument the participant is asked for, and how often. The read is recorded in
    the participant's access log."""
    return await schedules.list_schedules(session, scope)


@router.put(
    "/{participant_id}/assessment-schedules/{instrument}",
    response_model=AssessmentScheduleRead,
    operation_id="setAssessmentSchedule",
    summary="Ask a participant for a questionnaire regularly",
    responses={
        200: json_example(SCHEDULE_EXAMPLE),
        **problem_responses(
            NotAuthenticated,
            Forbidden,
            PrimaryClinicianOnly,
            NotFound,
            Phq9NeedsSupportResources,
            Phq9NeedsSelfHarmRule,
            BodyTooLarge,
            UnsupportedMediaType,
            InvalidInput,
            ServiceUnavailable,
        ),
    },
)
async def set_assessment_schedule(
    scope: PrimaryParticipant,
    instrument: InstrumentPath,
    body: AssessmentScheduleUpdate,
    session: SessionDep,
) -> AssessmentScheduleRead:
    """The participant is asked for `instrument` every `every_days` days (1 to 90), counted
    from the last time they completed it; it is due at once if they never have. Setting it
    again replaces the schedule. **PHQ-9** can be asked for only while the clinic can respond
    to its item 9: `409` `phq9-needs-support-resources` while the clinic has entered no
    support contacts, `409` `phq9-needs-self-harm-rule` while no enabled alert rule on its
    `self_harm_thoughts` flag applies to the participant. PHQ-8 is always available."""
    return await schedules.set_schedule(session, scope, instrument, body)


@router.delete(
    "/{participant_id}/assessment-schedules/{instrument}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="deleteAssessmentSchedule",
    summary="Stop asking a participant for a questionnaire",
    responses=problem_responses(
        NotAuthenticated,
        Forbidden,
        PrimaryClinicianOnly,
        NotFound,
        InvalidInput,
        ServiceUnavailable,
    ),
)
async def delete_assessment_schedule(
    scope: PrimaryParticipant, instrument: InstrumentPath, session: SessionDep
) -> None:
    """The participant is no longer asked for `instrument`; nothing to stop is no error
    (`204` either way). Assessments already completed stay."""
    await schedules.delete_schedule(session, scope, instrument)
