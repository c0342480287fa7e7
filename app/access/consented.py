"""The consenting integration's way in: an integration client reaches a participant's data
only while the participant consents to it, and only within the scopes its token holds.

Anyone else is the same `404` as an unknown id; a scope the token lacks is `403`
(`insufficient_scope`), decided before any participant data is looked at."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Path, Security
from fastapi.security import SecurityScopes
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access.scope import _MINT, ParticipantScope, Reader, _mark, _mint_scope
from app.audit.service import Actor
from app.auth.client_tokens import ClientIdentity, CurrentClient, InsufficientScope
from app.auth.models import IntegrationConsent
from app.db import SessionDep
from app.errors import NotFound
from app.users.models import Role, User

CONSENTING = Reader.integration.value  # how statements across its participants are marked


@dataclass(frozen=True, eq=False)
class Consenting:
    """The participants who consent to one integration now."""

    client_id: uuid.UUID
    actor: Actor
    _mint: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self._mint is not _MINT:
            raise TypeError("A Consenting is made only by app.access (its ways in).")

    def participants(self, *columns: Any) -> Select[Any]:
        """The consenting participants (`User`, `IntegrationConsent` unless `columns` are
        named)."""
        statement = (
            select(*(columns or (User, IntegrationConsent)))
            .join(IntegrationConsent, IntegrationConsent.participant_id == User.id)
            .where(
                IntegrationConsent.integration_id == self.client_id,
                User.role == Role.participant,
                User.erased_at.is_(None),
            )
        )
        return _mark(statement, CONSENTING)


def consenting_of(identity: ClientIdentity) -> Consenting:
    return Consenting(identity.client_id, identity.actor, _MINT)


def _require(identity: ClientIdentity, needed: Sequence[str]) -> None:
    for scope in needed:
        if scope not in identity.scopes:
            raise InsufficientScope(scope)


async def integration_scope(
    session: AsyncSession, identity: ClientIdentity, participant_id: uuid.UUID, needed: list[str]
) -> ParticipantScope:
    """A participant's data for an integration they consent to now, if its token holds
    every scope `needed` (else 403); 404 when they do not consent or do not exist."""
    _require(identity, needed)
    statement = consenting_of(identity).participants(User.timezone).where(User.id == participant_id)
    timezone = (await session.execute(statement)).scalar_one_or_none()
    if timezone is None:
        raise NotFound("No such participant.")
    return _mint_scope(participant_id, Reader.integration, identity.actor, timezone)


async def get_consenting_participant(
    security_scopes: SecurityScopes,
    participant_id: Annotated[
        uuid.UUID,
        Path(description="A participant who consents to your integration now; else `404`."),
    ],
    identity: CurrentClient,
    session: SessionDep,
) -> ParticipantScope:
    return await integration_scope(session, identity, participant_id, security_scopes.scopes)


async def get_consenting(identity: CurrentClient) -> Consenting:
    return consenting_of(identity)


ConsentingDep = Annotated[Consenting, Depends(get_consenting)]
EntriesConsent = Annotated[
    ParticipantScope, Security(get_consenting_participant, scopes=["entries.read"])
]
AssessmentsConsent = Annotated[
    ParticipantScope, Security(get_consenting_participant, scopes=["assessments.read"])
]
AlertsConsent = Annotated[
    ParticipantScope, Security(get_consenting_participant, scopes=["alerts.read"])
]
