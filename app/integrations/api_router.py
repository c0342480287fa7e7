"""The integration API: what an integration client reads of the participants who consent
to it, each route behind its scope. Every read is audited and shows in the participant's
access log under the integration's name."""

from fastapi import APIRouter

from app.access import AlertsConsent, AssessmentsConsent, ConsentingDep, EntriesConsent
from app.assessments.schemas import ASSESSMENT_READ_EXAMPLE, AssessmentPage
from app.auth.client_tokens import InsufficientScope, PersonToken
from app.db import SessionDep
from app.errors import InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.integrations import reads
from app.integrations.schemas import (
    INTEGRATION_ALERT_EXAMPLE,
    PARTICIPANT_EXAMPLE,
    IntegrationAlertPage,
    IntegrationParticipantPage,
)
from app.journal.schemas import ChangesPage
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(prefix="/v1/integration/participants", tags=["integrations"])

READ_ERRORS = (
    NotAuthenticated,
    PersonToken,
    InsufficientScope,
    NotFound,
    InvalidInput,
    ServiceUnavailable,
)


@router.get(
    "",
    response_model=IntegrationParticipantPage,
    operation_id="listConsentingParticipants",
    summary="Participants who consent to this integration",
    responses={
        200: json_example({"items": [PARTICIPANT_EXAMPLE], "next_cursor": None}),
        **problem_responses(NotAuthenticated, PersonToken, InvalidInput, ServiceUnavailable),
    },
)
async def list_consenting_participants(
    consenting: ConsentingDep,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> IntegrationParticipantPage:
    """Each participant who consents to your integration now (id, display name, when they
    consented), in the order they consented, a page at a time. Any client token; a
    participant who withdraws is gone from the next request on. Each listing is recorded in
    the participant's access log."""
    items, next_cursor = await reads.list_participants(session, consenting, limit, cursor)
    return IntegrationParticipantPage(items=items, next_cursor=next_cursor)


@router.get(
    "/{participant_id}/entries/changes",
    response_model=ChangesPage,
    operation_id="listConsentingParticipantEntryChanges",
    summary="Sync feed of a consenting participant's entries",
    responses=problem_responses(*READ_ERRORS),
)
async def list_consenting_participant_entry_changes(
    scope: EntriesConsent,
    session: SessionDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> ChangesPage:
    """Needs `entries.read`. Every entry created, edited or deleted after `cursor` (from
    the start without one), oldest change first; deleted entries come as tombstones. Pass
    the returned `next_cursor` next time; while `has_more` is true, ask again at once. A
    note is `null` unless the participant shares it with their care team. `404` for anyone
    who does not consent to your integration now."""
    items, next_cursor, has_more = await reads.list_entry_changes(session, scope, cursor, limit)
    return ChangesPage(items=items, next_cursor=next_cursor, has_more=has_more)


@router.get(
    "/{participant_id}/assessments",
    response_model=AssessmentPage,
    operation_id="listConsentingParticipantAssessments",
    summary="A consenting participant's assessments, newest first",
    responses={
        200: json_example({"items": [ASSESSMENT_READ_EXAMPLE], "next_cursor": None}),
        **problem_responses(*READ_ERRORS),
    },
)
async def list_consenting_participant_assessments(
    scope: AssessmentsConsent,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> AssessmentPage:
    """Needs `assessments.read`. The participant's completed questionnaires with answers,
    totals and descriptive bands, newest first. `404` for anyone who does not consent to
    your integration now."""
    items, next_cursor = await reads.list_participant_assessments(session, scope, limit, cursor)
    return AssessmentPage(items=items, next_cursor=next_cursor)


@router.get(
    "/{participant_id}/alerts",
    response_model=IntegrationAlertPage,
    operation_id="listConsentingParticipantAlerts",
    summary="A consenting participant's alerts, newest first",
    responses={
        200: json_example({"items": [INTEGRATION_ALERT_EXAMPLE], "next_cursor": None}),
        **problem_responses(*READ_ERRORS),
    },
)
async def list_consenting_participant_alerts(
    scope: AlertsConsent,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> IntegrationAlertPage:
    """Needs `alerts.read`. The participant's alerts, newest first: state, severity and
    summary; not the evidence, the care team's resolution note or who acted. `404` for
    anyone who does not consent to your integration now."""
    items, next_cursor = await reads.list_participant_alerts(session, scope, limit, cursor)
    return IntegrationAlertPage(items=items, next_cursor=next_cursor)
