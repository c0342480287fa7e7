"""The audit trail, for admins: who did what to which account, never journal content."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app.audit import queries as audit
from app.audit.schemas import AUDIT_EVENT_EXAMPLE, AuditEventPage
from app.audit.service import AuditAction
from app.auth.dependencies import AdminIdentity
from app.db import SessionDep
from app.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    ServiceUnavailable,
)
from app.openapi import problem_responses
from app.pagination import CursorQuery, LimitQuery
from app.schemas import Rfc3339DateTime

# The `admin` tag and the `/v1/admin` prefix come from the router this one is included in.
router = APIRouter()


@router.get(
    "/audit-events",
    response_model=AuditEventPage,
    operation_id="listAuditEvents",
    summary="Read the audit trail",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {"items": [AUDIT_EVENT_EXAMPLE], "next_cursor": "WyJhdWRpdCJd"}
                }
            }
        },
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def list_audit_events(
    identity: AdminIdentity,
    session: SessionDep,
    actor_id: Annotated[uuid.UUID | None, Query(description="Only events by this account.")] = None,
    participant_id: Annotated[
        uuid.UUID | None, Query(description="Only events concerning this participant.")
    ] = None,
    action: Annotated[AuditAction | None, Query(description="Only this action.")] = None,
    outcome: Annotated[
        Literal["success", "failure"] | None,
        Query(description="Only events with this outcome (e.g. failed sign-ins)."),
    ] = None,
    since: Annotated[
        Rfc3339DateTime | None,
        Query(description="Events at or after this instant (with offset)."),
    ] = None,
    until: Annotated[
        Rfc3339DateTime | None,
        Query(description="Events before this instant (with offset); later than `since`."),
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> AuditEventPage:
    """Append-only record of sign-ins, account and assignment changes, clinician reads of
    participant data, exports and erasures: newest first. Events hold identifiers, never
    e-mail addresses, names, codes or journal content. Filters combine with AND; keep
    them the same while following `next_cursor`."""
    filters = audit.AuditFilter(
        actor_id=actor_id,
        participant_id=participant_id,
        action=action,
        outcome=outcome,
        since=since,
        until=until,
    )
    return await audit.list_audit_events(session, filters, limit=limit, cursor=cursor)


# Included last, once its routes exist: /v1/admin/approvals...
