"""A participant's consent to integrations: the list, granting and withdrawing.

Each takes effect on the next request: the integration's way in (app/access/consented.py)
reads the consent row on every request."""

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import ParticipantScope
from app.audit.service import AuditAction, record_event
from app.auth.models import IntegrationClient, IntegrationConsent
from app.db import utcnow
from app.events.service import EventType, record_thin_event
from app.integrations.schemas import MyIntegrationRead
from app.integrations.service import integration_not_found

CONSENTS = IntegrationConsent.__table__


def _read(client: IntegrationClient, consented_at: object) -> MyIntegrationRead:
    return MyIntegrationRead.model_validate(
        {
            "id": client.id,
            "name": client.name,
            "description": client.description,
            "scopes": client.scopes.split(),
            "consented": consented_at is not None,
            "consented_at": consented_at,
        }
    )


async def _consents(session: AsyncSession, scope: ParticipantScope) -> dict[uuid.UUID, object]:
    statement = scope.select(
        IntegrationConsent, IntegrationConsent.integration_id, IntegrationConsent.consented_at
    )
    return {row.integration_id: row.consented_at for row in await session.execute(statement)}


async def list_my_integrations(
    session: AsyncSession, scope: ParticipantScope
) -> list[MyIntegrationRead]:
    """Every active integration, by name, with whether the participant consents to it."""
    statement = (
        select(IntegrationClient)
        .where(IntegrationClient.is_active.is_(True))
        .order_by(IntegrationClient.name, IntegrationClient.id)
    )
    clients = (await session.execute(statement)).scalars().all()
    consents = await _consents(session, scope)
    return [_read(client, consents.get(client.id)) for client in clients]


async def _client(
    session: AsyncSession, integration_id: uuid.UUID, *, active: bool
) -> IntegrationClient:
    client = await session.get(IntegrationClient, integration_id)
    if client is None or (active and not client.is_active):
        raise integration_not_found()
    return client


async def grant_consent(
    session: AsyncSession, scope: ParticipantScope, integration_id: uuid.UUID
) -> MyIntegrationRead:
    """Consent to an active integration; consenting again changes nothing (the first
    `consented_at` stays). Audited once."""
    client = await _client(session, integration_id, active=True)
    insert = scope.upsert(session, IntegrationConsent).values(
        integration_id=integration_id, consented_at=utcnow()
    )
    inserted = await session.execute(
        insert.on_conflict_do_nothing(index_elements=["participant_id", "integration_id"])
    )
    if inserted.rowcount:  # type: ignore[attr-defined]
        event = EventType.consent_granted
        await record_thin_event(session, scope, event, integration_id, utcnow())
        await record_event(
            session,
            scope.actor,
            AuditAction.consent_grant,
            participant_id=scope.participant_id,
            subject_id=integration_id,
        )
    consents = await _consents(session, scope)
    return _read(client, consents.get(integration_id))


async def withdraw_consent(
    session: AsyncSession, scope: ParticipantScope, integration_id: uuid.UUID
) -> None:
    """Withdraw consent: the integration reaches none of the participant's data from the
    next request on. Withdrawing what was not given is no error. Audited when it withdraws."""
    await _client(session, integration_id, active=False)
    deleted = await session.execute(
        scope.delete(IntegrationConsent).where(CONSENTS.c.integration_id == integration_id)
    )
    if deleted.rowcount:  # type: ignore[attr-defined]
        event = EventType.consent_withdrawn
        await record_thin_event(session, scope, event, integration_id, utcnow())
        await record_event(
            session,
            scope.actor,
            AuditAction.consent_withdraw,
            participant_id=scope.participant_id,
            subject_id=integration_id,
        )


def consents_of(scope: ParticipantScope) -> Select[Any]:
    """The participant's consents with each integration's name (for the export)."""
    return scope.select(
        IntegrationConsent,
        IntegrationConsent.integration_id,
        IntegrationClient.name.label("integration_name"),
        IntegrationConsent.consented_at,
    ).join(IntegrationClient, IntegrationClient.id == IntegrationConsent.integration_id)


async def erase_consents(session: AsyncSession, scope: ParticipantScope) -> None:
    """An erased participant consents to nothing."""
    await session.execute(scope.delete(IntegrationConsent))
