"""The ways in: who may get a scope on a participant's data, and how.

- the participant themself (`own_scope`, the `OwnJournal` dependency);
- the clinician assigned to the participant now (`clinician_scope`, `AssignedParticipant`),
  and their backup while covering an escalation: anyone else, and an unknown id, is the
  same `404`; `PrimaryParticipant` for what only the primary does;
- a clinician's caseload as a whole, for figures over many participants (`caseload_of`).
"""

import uuid
from dataclasses import replace
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
from app.audit.access_log import COVERING_ROLE
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


COVERING = COVERING_ROLE  # the role a covering backup's reads are recorded under


class PrimaryClinicianOnly(Forbidden):
    code = "primary-clinician-only"
    example = "Only the participant's primary clinician can do this; you are covering."


async def clinician_scope(
    session: AsyncSession, identity: Identity, participant_id: uuid.UUID, *, primary: bool = False
) -> ParticipantScope:
    """A participant's data for the clinician assigned to them now, or for their backup
    while covering (from an escalation until it is resolved; recorded as covering reads);
    404 otherwise, exactly as for an unknown id, so that nothing tells whether such a
    participant exists. `primary`: the primary clinician only (a covering backup is 403)."""
    caseload = caseload_of(identity)
    statement = caseload.participants(User.timezone).where(User.id == participant_id)
    timezone = (await session.execute(statement)).scalar_one_or_none()
    if timezone is not None:
        return _mint_scope(participant_id, Reader.primary_clinician, identity.actor, timezone)
    statement = caseload.covered_participants(User.timezone).where(User.id == participant_id)
    timezone = (await session.execute(statement)).scalar_one_or_none()
    if timezone is None:
        raise participant_not_found()
    if primary:
        raise PrimaryClinicianOnly(
            "Only the participant's primary clinician can do this; you are covering."
        )
    actor = replace(identity.actor, role=COVERING)
    return _mint_scope(participant_id, Reader.covering_backup, actor, timezone)


async def get_own_journal(identity: ParticipantIdentity) -> ParticipantScope:
    return own_scope(identity)


async def get_assigned_participant(
    participant_id: Annotated[
        uuid.UUID,
        Path(
            description="A participant assigned to you now, or whom you cover as their backup "
            "(from an escalation of theirs until it is resolved); any other id is `404`."
        ),
    ],
    identity: ClinicianIdentity,
    session: SessionDep,
) -> ParticipantScope:
    return await clinician_scope(session, identity, participant_id)


async def get_primary_participant(
    participant_id: Annotated[
        uuid.UUID, Path(description="A participant assigned to you now; any other id is `404`.")
    ],
    identity: ClinicianIdentity,
    session: SessionDep,
) -> ParticipantScope:
    return await clinician_scope(session, identity, participant_id, primary=True)


async def get_caseload(identity: ClinicianIdentity) -> Caseload:
    return caseload_of(identity)


OwnJournal = Annotated[ParticipantScope, Depends(get_own_journal)]
AssignedParticipant = Annotated[ParticipantScope, Depends(get_assigned_participant)]
# For what only the primary clinician does (reviewing, setting rules): a covering backup
# is 403 (it knows the participant already), anyone else 404.
PrimaryParticipant = Annotated[ParticipantScope, Depends(get_primary_participant)]
CaseloadDep = Annotated[Caseload, Depends(get_caseload)]


async def get_oversight(identity: AdminIdentity) -> Oversight:
    return oversight_of(identity)


OversightDep = Annotated[Oversight, Depends(get_oversight)]
