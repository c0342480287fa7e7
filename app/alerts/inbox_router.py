"""The care team's alert inbox, acknowledging and resolving; the admin's overdue list."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from app.access import CaseloadDep, OversightDep
from app.alerts import inbox
from app.alerts.schemas import (
    ALERT_EXAMPLE,
    OVERDUE_EXAMPLE,
    AlertPage,
    AlertRead,
    AlertResolution,
    AlertStatus,
    OverdueAlertList,
)
from app.auth.dependencies import ClinicianIdentity
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter()

AlertId = Annotated[uuid.UUID, Path(description="An alert of a participant in your care now.")]
READ_ERRORS = (NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable)


@router.get(
    "/v1/clinician/alerts",
    tags=["clinician"],
    response_model=AlertPage,
    operation_id="listMyAlerts",
    summary="Alerts of my participants",
    responses={
        200: json_example({"items": [ALERT_EXAMPLE], "next_cursor": None}),
        **problem_responses(*READ_ERRORS),
    },
)
async def list_my_alerts(
    caseload: CaseloadDep,
    session: SessionDep,
    status: Annotated[AlertStatus | None, Query(description="Only alerts in this state.")] = None,
    severity: Annotated[Literal["urgent", "routine"] | None, Query()] = None,
    participant_id: Annotated[
        uuid.UUID | None, Query(description="Only this participant's.")
    ] = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> AlertPage:
    """Alerts of the participants in your care now: urgent first, then oldest first, with
    the figures that fired each. Reading them is recorded in each participant's access log."""
    items, next_cursor = await inbox.list_inbox(
        session,
        caseload,
        status=status,
        severity=severity,
        participant_id=participant_id,
        limit=limit,
        cursor=cursor,
    )
    return AlertPage(items=items, next_cursor=next_cursor)


@router.post(
    "/v1/clinician/alerts/{alert_id}/acknowledge",
    tags=["clinician"],
    response_model=AlertRead,
    operation_id="acknowledgeAlert",
    summary="Acknowledge an alert",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def acknowledge_alert(
    alert_id: AlertId, identity: ClinicianIdentity, caseload: CaseloadDep, session: SessionDep
) -> AlertRead:
    """Say you have seen it: it then does not escalate. Idempotent. An alert of a
    participant not in your care is `404`."""
    return await inbox.acknowledge(session, identity, caseload, alert_id)


@router.post(
    "/v1/clinician/alerts/{alert_id}/resolve",
    tags=["clinician"],
    response_model=AlertRead,
    operation_id="resolveAlert",
    summary="Resolve an alert",
    responses=problem_responses(*READ_ERRORS, NotFound, BodyTooLarge, UnsupportedMediaType),
)
async def resolve_alert(
    alert_id: AlertId,
    body: AlertResolution,
    identity: ClinicianIdentity,
    caseload: CaseloadDep,
    session: SessionDep,
) -> AlertRead:
    """Close it with a note of what was done (up to 2,000 characters). Resolving it again
    answers `200` with the alert as first resolved (that note kept). If the rule fires again
    later, a new alert opens."""
    return await inbox.resolve(session, identity, caseload, alert_id, body.resolution_note)


@router.get(
    "/v1/admin/alerts/overdue",
    tags=["admin"],
    response_model=OverdueAlertList,
    operation_id="listOverdueAlerts",
    summary="Alerts nobody acknowledged in time",
    responses={
        200: json_example({"items": [OVERDUE_EXAMPLE]}),
        **problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
    },
)
async def list_overdue_alerts(oversight: OversightDep, session: SessionDep) -> OverdueAlertList:
    """Alerts still open past their acknowledgement deadline (or escalated), oldest deadline
    first, with who the participant is and who is their primary clinician, so that care can
    be reassigned. Never what the alert says: no rule, summary or figures."""
    return OverdueAlertList(items=await inbox.overdue_alerts(session, oversight))
