"""Webhook fan-out: domain events (the outbox) become deliveries, one per endpoint that is to
be told of each.

An event goes to an endpoint when the endpoint is active, subscribes to the event's type and
existed when it happened, its integration is active and holds `webhooks.receive`, and the
participant consents to that integration when the fan-out runs. A `consent.*` event goes
to the integration it names only (a withdrawal is told to the integration withdrawn from).

Each batch runs under the sweeper's lock, so one process at a time numbers deliveries:
`sequence` is the order the fan-out saw the events in, oldest `occurred_at` first. An
event is marked `relayed_at` in the same transaction as its deliveries, so it is fanned out
exactly once however many processes sweep, and a pass killed midway leaves it for the next."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import Sweep
from app.auth.models import IntegrationClient, IntegrationConsent
from app.events.models import DomainEvent
from app.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.integrations.webhooks import RECEIVE_SCOPE


@dataclass(frozen=True)
class _Endpoint:
    id: uuid.UUID
    integration_id: uuid.UUID
    events: frozenset[str]
    created_at: datetime


async def _endpoints(session: AsyncSession) -> list[_Endpoint]:
    statement = (
        select(
            WebhookEndpoint.id,
            WebhookEndpoint.integration_id,
            WebhookEndpoint.events,
            WebhookEndpoint.created_at,
            IntegrationClient.scopes,
        )
        .join(IntegrationClient, IntegrationClient.id == WebhookEndpoint.integration_id)
        .where(WebhookEndpoint.is_active.is_(True), IntegrationClient.is_active.is_(True))
    )
    return [
        _Endpoint(row.id, row.integration_id, frozenset(row.events.split()), row.created_at)
        for row in await session.execute(statement)
        if RECEIVE_SCOPE in row.scopes.split()
    ]


async def _consents(
    session: AsyncSession, sweep: Sweep, participant_ids: set[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    statement = select(IntegrationConsent.participant_id, IntegrationConsent.integration_id).where(
        IntegrationConsent.participant_id.in_(participant_ids)
    )
    return {(row[0], row[1]) for row in await session.execute(sweep.across(statement))}


def _told(event: Any, endpoint: _Endpoint, consents: set[tuple[uuid.UUID, uuid.UUID]]) -> bool:
    if event.type not in endpoint.events or event.occurred_at < endpoint.created_at:
        return False
    if event.type.startswith("consent."):
        return bool(event.data.get("integration_id") == str(endpoint.integration_id))
    return (event.participant_id, endpoint.integration_id) in consents


async def fan_out(session: AsyncSession, sweep: Sweep, now: datetime, batch: int) -> int:
    """Turn up to `batch` events not yet fanned out into deliveries, within the caller's
    transaction (which holds the sweeper's lock). Returns how many events it took."""
    unrelayed = (
        select(
            DomainEvent.participant_id,
            DomainEvent.id,
            DomainEvent.type,
            DomainEvent.data,
            DomainEvent.occurred_at,
        )
        .where(DomainEvent.relayed_at.is_(None))
        .order_by(DomainEvent.occurred_at, DomainEvent.id)
        .limit(batch)
    )
    events = list(await session.execute(sweep.across(unrelayed)))
    if not events:
        return 0
    endpoints = await _endpoints(session)
    consents = await _consents(session, sweep, {event.participant_id for event in events})
    last = select(func.coalesce(func.max(WebhookDelivery.sequence), 0))
    sequence = int((await session.execute(last)).scalar_one())
    rows = []
    for event in events:
        for endpoint in endpoints:
            if _told(event, endpoint, consents):
                sequence += 1
                rows.append(_delivery(event, endpoint.id, sequence, now))
    if rows:
        await session.execute(insert(WebhookDelivery), rows)
    keys = tuple_(DomainEvent.participant_id, DomainEvent.id)
    relayed = (
        update(DomainEvent)
        .where(
            keys.in_([(e.participant_id, e.id) for e in events]), DomainEvent.relayed_at.is_(None)
        )
        .values(relayed_at=now)
    )
    await session.execute(sweep.across(relayed))
    return len(events)


def _delivery(event: Any, endpoint_id: uuid.UUID, sequence: int, now: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "sequence": sequence,
        "endpoint_id": endpoint_id,
        "participant_id": event.participant_id,
        "event_id": event.id,
        "event_type": event.type,
        "event_occurred_at": event.occurred_at,
        "status": DeliveryStatus.pending.value,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }
