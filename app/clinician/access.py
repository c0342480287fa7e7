"""The one way a clinician reaches a participant: through an assignment that is open now."""

import uuid

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.care.models import CareAssignment
from app.errors import NotFound
from app.users.models import Role, User


def assigned_participants(clinician_id: uuid.UUID) -> Select[User, CareAssignment]:
    """Participants assigned to the clinician now, with their open assignment."""
    return (
        select(User, CareAssignment)
        .join(CareAssignment, CareAssignment.participant_id == User.id)
        .where(
            CareAssignment.clinician_id == clinician_id,
            CareAssignment.ended_at.is_(None),
            User.role == Role.participant,
            User.erased_at.is_(None),
        )
    )


async def get_assigned_participant(
    session: AsyncSession, clinician_id: uuid.UUID, participant_id: uuid.UUID
) -> tuple[User, CareAssignment]:
    """The participant if assigned to this clinician now; else 404, exactly as for an
    unknown id, so that nothing tells whether such a participant exists."""
    row = (
        await session.execute(assigned_participants(clinician_id).where(User.id == participant_id))
    ).first()
    if row is None:
        raise participant_not_found()
    return row[0], row[1]


def participant_not_found() -> NotFound:
    return NotFound("No such participant.")
