"""Admin reads of who cares for a participant: assignments, never journal content."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path

from app.auth.dependencies import AdminIdentity
from app.care import service as care
from app.care.schemas import ParticipantCare
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
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
    ended it. No journal content. `404` when the id is not a participant's."""
    return await care.get_participant_care(session, participant_id)
