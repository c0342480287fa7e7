"""Admin routes of the two-person rule: requests waiting for a second admin."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import JSONResponse

from app.admin import approvals, service
from app.admin.approvals import ApprovalClosed, OwnApproval
from app.admin.models import ApprovalStatus
from app.admin.schemas import APPROVAL_EXAMPLE, ApprovalDecision, ApprovalPage, ApprovalRead
from app.admin.service import AccountInactive
from app.auth.dependencies import AdminIdentity
from app.care.periods import AssignmentConflict
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    ServiceUnavailable,
)
from app.openapi import problem_responses
from app.pagination import CursorQuery, LimitQuery

# The `admin` tag comes from the router this one is included in.
router = APIRouter(prefix="/approvals")

APPROVAL_PENDING = (
    "Accepted: the action waits for a second admin (`JOURNAL_SECOND_ADMIN_APPROVAL`)."
)


def pending_response(approval: ApprovalRead) -> JSONResponse:
    """The `202` of an action that now waits for a second admin's approval."""
    return JSONResponse(approval.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)


ApprovalId = Annotated[uuid.UUID, Path(description="The approval request's id.")]


@router.get(
    "",
    response_model=ApprovalPage,
    operation_id="listApprovals",
    summary="List requests waiting for a second admin",
    responses={
        200: {
            "content": {
                "application/json": {"example": {"items": [APPROVAL_EXAMPLE], "next_cursor": None}}
            }
        },
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def list_approvals(
    identity: AdminIdentity,
    session: SessionDep,
    status: Annotated[
        ApprovalStatus | None, Query(description="Only requests in this state.")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> ApprovalPage:
    """Requests made while `JOURNAL_SECOND_ADMIN_APPROVAL` is on (account recovery of an
    activated participant, assignment to a clinician account under 24 hours old), oldest
    first. A request not approved within 24 hours is `expired`."""
    return await approvals.list_approvals(session, status=status, limit=limit, cursor=cursor)


@router.post(
    "/{approval_id}/approve",
    response_model=ApprovalDecision,
    operation_id="approveRequest",
    summary="Approve another admin's request and carry it out",
    responses=problem_responses(
        NotAuthenticated,
        Forbidden,
        OwnApproval,
        NotFound,
        ApprovalClosed,
        AccountInactive,
        AssignmentConflict,
        InvalidInput,
        ServiceUnavailable,
    ),
)
async def approve_request(
    approval_id: ApprovalId,
    identity: AdminIdentity,
    session: SessionDep,
    settings: SettingsDep,
) -> ApprovalDecision:
    """Carried out at once, in the approving admin's name: for `participant_recovery` the
    answer holds the one-time activation code (shown only here; every session of the
    participant ends, and they are shown a security notice); for
    `new_clinician_assignment`, the assignment now in force.

    `403` for a request you made yourself; `409` when it is already decided, expired, or
    no longer applies (the participant or clinician was deactivated or erased meanwhile)."""
    approval, executed = await service.approve_request(
        session, settings, identity.actor, approval_id
    )
    return ApprovalDecision(
        approval=approval,
        activation_code=executed.code.code if executed.code else None,
        activation_code_expires_at=executed.code.expires_at if executed.code else None,
        assignment=executed.assignment,
    )


@router.post(
    "/{approval_id}/reject",
    response_model=ApprovalRead,
    operation_id="rejectRequest",
    summary="Turn down or withdraw a request",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, ApprovalClosed, InvalidInput, ServiceUnavailable
    ),
)
async def reject_request(
    approval_id: ApprovalId, identity: AdminIdentity, session: SessionDep
) -> ApprovalRead:
    """Any admin may turn a pending request down, its requester too (who thereby withdraws
    it); nothing is carried out. `409` when it is already decided or expired."""
    return await approvals.reject(session, identity.actor, approval_id)
