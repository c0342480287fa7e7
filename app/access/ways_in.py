"""The ways in: who may get a scope on a participant's data, and how.

- the participant themself (`own_scope`, the `OwnJournal` dependency);
- the clinician assigned to the participant now (`clinician_scope`, `AssignedParticipant`):
  anyone else, and an unknown id, is the same `404`;
- a clinician's caseload as a whole, for figures over many participants (`caseload_of`).
"""

import uuid
from typing import Annotated

from fastapi import Depends, Path
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.scope import (
    Caseload,
    Oversight,
    ParticipantScope,
    Reader,
    Sweep,
    _mint_caseload,
    _mint_oversight,
    _mint_scope,
    _mint_sweep,
)
from app.audit.service import Actor
from app.auth.dependencies import AdminIdentity, ClinicianIdentity, ParticipantIdentity
from app.auth.identity import Identity
from app.db import SessionDep
from app.errors import Forbidden, NotFound
from app.users.models import Role, User


def own_scope(identity: Identity) -> ParticipantScope:
    """The signed-in participant's own data."""
    if identity.user.role is not Role.participant:
        raise Forbidden("This operation is for participant accounts only.")
    user = identity.user
    return _mint_scope(user.id, Reader.participant, identity.actor, user.timezone)


def caseload_of(identity: Identity) -> Caseload:
    """The participants assigned to the signed-in clinician now."""
    if identity.user.role is not Role.clinician:
        raise Forbidden("This operation is for clinician accounts only.")
    return _mint_caseload(identity.user.id, identity.actor)


def oversight_of(identity: Identity) -> Oversight:
    """A clinic admin's view of participant-owned records: content-free columns only."""
    if identity.user.role is not Role.admin:
        raise Forbidden("This operation is for admin accounts only.")
    return _mint_oversight(identity.actor)


def sweep_for(run_id: str) -> Sweep:
    """The sweeper's way in (and nobody else's: tests/test_one_door.py checks who imports
    it): escalations and missed check-ins, across participants."""
    return _mint_sweep(Actor(None, "system", run_id))


def participant_not_found() -> NotFound:
    return NotFound("No such participant.")


async def clinician_scope(
    session: AsyncSession, identity: Identity, participant_id: uuid.UUID
) -> ParticipantScope:
    """A participant's data for the clinician assigned to them now; 404 otherwise, exactly
    as for an unknown id, so that nothing tells whether such a participant exists."""
    caseload = caseload_of(identity)
    statement = caseload.participants(User.timezone).where(User.id == participant_id)
    timezone = (await session.execute(statement)).scalar_one_or_none()
    if timezone is None:
        raise participant_not_found()
    return _mint_scope(participant_id, Reader.primary_clinician, identity.actor, timezone)


async def get_own_journal(identity: ParticipantIdentity) -> ParticipantScope:
    return own_scope(identity)


async def get_assigned_participant(
    participant_id: Annotated[
        uuid.UUID, Path(description="A participant assigned to you now; any other id is `404`.")
    ],
    identity: ClinicianIdentity,
    session: SessionDep,
) -> ParticipantScope:
    return await clinician_scope(session, identity, participant_id)


async def get_caseload(identity: ClinicianIdentity) -> Caseload:
    return caseload_of(identity)


OwnJournal = Annotated[ParticipantScope, Depends(get_own_journal)]
AssignedParticipant = Annotated[ParticipantScope, Depends(get_assigned_participant)]
CaseloadDep = Annotated[Caseload, Depends(get_caseload)]


async def get_oversight(identity: AdminIdentity) -> Oversight:
    return oversight_of(identity)


OversightDep = Annotated[Oversight, Depends(get_oversight)]
