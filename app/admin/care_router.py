"""Who cares for a participant: assignments, set and read by admins; never journal content."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status
from fastapi.responses import JSONResponse

from app.admin import service
from app.admin.approval_router import APPROVAL_PENDING, pending_response
from app.admin.schemas import (
    ApprovalRead,
    AssignmentSet,
)
from app.auth.dependencies import AdminIdentity
from app.care import backups
from app.care import service as care
from app.care.periods import AssignmentConflict
from app.care.schemas import AssignmentRead, BackupRead, ParticipantCare
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    ServiceUnavailable,
)
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import problem_responses

# The `admin` tag and the `/v1/admin` prefix come from the router this one is included in.
router = APIRouter()

ParticipantId = Annotated[uuid.UUID, Path(description="A participant account's id.")]


@router.get(
    "/participants/{participant_id}/clinician",
    response_model=ParticipantCare,
    operation_id="getParticipantCare",
    summary="A participant's clinician, now and before",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def get_participant_care(
    participant_id: ParticipantId, identity: AdminIdentity, session: SessionDep
) -> ParticipantCare:
    """The clinician caring for the participant now (`current`, `null` when none: for
    example after their clinician was deactivated) and every assignment with who made and
    ended it, and the backup clinician (`backup`, `backup_history`) likewise. No journal
    content. `404` when the id is not a participant's."""
    return await backups.get_participant_care(session, participant_id)


@router.put(
    "/participants/{participant_id}/clinician",
    response_model=AssignmentRead,
    operation_id="assignClinician",
    summary="Assign a participant to a clinician",
    responses={
        **problem_responses(
            NotAuthenticated,
            Forbidden,
            NotFound,
            AssignmentConflict,
            BodyTooLarge,
            UnsupportedMediaType,
            InvalidInput,
            ServiceUnavailable,
        ),
        202: {"model": ApprovalRead, "description": APPROVAL_PENDING},
    },
)
async def assign_clinician(
    participant_id: ParticipantId,
    body: AssignmentSet,
    identity: AdminIdentity,
    session: SessionDep,
    settings: SettingsDep,
) -> AssignmentRead | JSONResponse:
    """Put the participant in the care of an active clinician. Any current assignment
    ends at the same moment, so the previous clinician loses access on their next request;
    the history is kept. Assigning the clinician already assigned changes nothing.

    With `JOURNAL_SECOND_ADMIN_APPROVAL` on, assigning a clinician account created less
    than 24 hours ago is `202` with a pending request: it takes effect when another admin
    approves it.

    `404` when `participant_id` is not a participant; `422` when `clinician_id` is not an
    active clinician; `409` when the assignment changed at the same moment (retry)."""
    result = await service.assign_clinician(
        session, settings, identity.actor, participant_id, body.clinician_id
    )
    return pending_response(result) if isinstance(result, ApprovalRead) else result


@router.delete(
    "/participants/{participant_id}/clinician",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="unassignClinician",
    summary="End a participant's assignment",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def unassign_clinician(
    participant_id: ParticipantId, identity: AdminIdentity, session: SessionDep
) -> None:
    """The participant is left without a clinician; the ended assignment stays in the
    history. `404` when the participant is unknown or has no clinician."""
    await care.end_assignment(session, identity.actor, participant_id)


@router.put(
    "/participants/{participant_id}/backup-clinician",
    response_model=BackupRead,
    operation_id="setBackupClinician",
    summary="Set a participant's backup clinician",
    responses=problem_responses(
        NotAuthenticated,
        Forbidden,
        NotFound,
        AssignmentConflict,
        BodyTooLarge,
        UnsupportedMediaType,
        InvalidInput,
        ServiceUnavailable,
    ),
)
async def set_backup_clinician(
    participant_id: ParticipantId, body: AssignmentSet, identity: AdminIdentity, session: SessionDep
) -> BackupRead:
    """Make an active clinician the participant's backup. The backup does **not** review
    the participant: they reach the participant's data only while *covering*, from the
    moment one of the participant's alerts is escalated (nobody acknowledged it in time)
    until that alert is resolved; each covering read is recorded in the participant's
    access log as a covering clinician's. Any current backup ends at the same moment (the
    history is kept); setting the backup already set changes nothing.

    `404` when `participant_id` is not a participant; `422` when `clinician_id` is not an
    active clinician (`not-an-active-clinician`) or is the participant's primary clinician
    (`backup-is-primary`). Making the backup the primary later ends their backup period."""
    return await backups.set_backup(session, identity.actor, participant_id, body.clinician_id)


@router.delete(
    "/participants/{participant_id}/backup-clinician",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="endBackupClinician",
    summary="End a participant's backup",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def end_backup_clinician(
    participant_id: ParticipantId, identity: AdminIdentity, session: SessionDep
) -> None:
    """The participant is left without a backup (an escalation then reaches the admins'
    overdue list only); the ended period stays in the history. `404` when the participant
    is unknown or has no backup."""
    await backups.end_backup(session, identity.actor, participant_id)
