"""Webhook deliveries in the database: which endpoints have one due, claiming an endpoint's
next delivery, and recording how an attempt went.

Order: an endpoint's deliveries are sent one at a time by `sequence` (the fan-out's order);
only the endpoint's earliest pending delivery may be claimed, so a later event waits while
an earlier one waits for its retry. A claim is a lease: it pushes `next_attempt_at` past
the attempt's timeout, so a process killed mid-send leaves the delivery to be retried when
the lease runs out (at least once), and no other process claims it meanwhile."""

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.access import Sweep
from app.audit.service import AuditAction, record_event
from app.auth.models import IntegrationClient, IntegrationConsent
from app.events.models import DomainEvent
from app.integrations.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.integrations.webhooks import RECEIVE_SCOPE

DELIVERY = WebhookDelivery
# Seconds after each failed attempt until the next (±20 % jitter): about 72 hours in all,
# then the delivery is `failed`.
RETRY_SCHEDULE = (5, 30, 120, 600, 1800, 3600, 7200, 14400) + (28800,) * 8
DISABLED_GONE = "The endpoint answered 410 Gone."
DISABLED_FAILING = "Every attempt failed for 72 hours."


@dataclass(frozen=True)
class Claimed:
    delivery_id: uuid.UUID
    attempts: int
    endpoint_id: uuid.UUID
    url: str
    secret_version: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _pending() -> Any:
    return DELIVERY.status == DeliveryStatus.pending.value


def _first_of_endpoint() -> Any:
    earlier = aliased(WebhookDelivery)
    return ~exists().where(
        earlier.endpoint_id == DELIVERY.endpoint_id,
        earlier.status == DeliveryStatus.pending.value,
        earlier.sequence < DELIVERY.sequence,
    )


def _active_endpoint() -> Any:
    """The endpoint is active, and so is its integration, still granted `webhooks.receive`
    (checked at each attempt, not only when the event was fanned out)."""
    scopes = literal(" ") + IntegrationClient.scopes + literal(" ")
    return exists().where(
        WebhookEndpoint.id == DELIVERY.endpoint_id,
        WebhookEndpoint.is_active.is_(True),
        IntegrationClient.id == WebhookEndpoint.integration_id,
        IntegrationClient.is_active.is_(True),
        scopes.like(f"% {RECEIVE_SCOPE} %"),
    )


async def due_endpoints(session: AsyncSession, now: datetime) -> list[uuid.UUID]:
    """Active endpoints whose earliest pending delivery is due."""
    due = and_(
        _pending(), DELIVERY.next_attempt_at <= now, _first_of_endpoint(), _active_endpoint()
    )
    statement = select(DELIVERY.endpoint_id).where(due).distinct()
    return list((await session.execute(statement)).scalars())


async def claim_next(
    session: AsyncSession, sweep: Sweep, endpoint_id: uuid.UUID, now: datetime, lease: float
) -> Claimed | None:
    """Lease the endpoint's earliest pending delivery if it is due, counting the attempt;
    with the thin event it announces. The due condition is repeated in the UPDATE itself."""
    head = (
        select(DELIVERY.id)
        .where(DELIVERY.endpoint_id == endpoint_id, _pending())
        .order_by(DELIVERY.sequence)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    due = and_(
        _pending(), DELIVERY.next_attempt_at <= now, _first_of_endpoint(), _active_endpoint()
    )
    statement = (
        update(DELIVERY)
        .where(DELIVERY.id == head, due)
        .values(
            attempts=DELIVERY.attempts + 1,
            next_attempt_at=now + timedelta(seconds=lease),
            last_attempt_at=now,
            updated_at=now,
        )
        .returning(DELIVERY.id, DELIVERY.attempts, DELIVERY.participant_id, DELIVERY.event_id)
    )
    row = (await session.execute(statement)).one_or_none()
    if row is None:
        return None
    event = select(DomainEvent.type, DomainEvent.data, DomainEvent.occurred_at).where(
        DomainEvent.participant_id == row.participant_id, DomainEvent.id == row.event_id
    )
    found = (await session.execute(sweep.across(event))).one_or_none()
    endpoint = await session.get_one(WebhookEndpoint, endpoint_id)
    reason = None
    if found is None:  # gone with its participant: nothing to send, and nothing to wait for
        reason = "the event no longer exists"
    elif not found.type.startswith("consent.") and not await _consents(
        session, sweep, row.participant_id, endpoint.integration_id
    ):
        # Consent is checked again when sending: a withdrawal (or an erasure) stops what was
        # fanned out before it. The withdrawal's own event still goes to its integration.
        reason = "not sent: the participant no longer consents to this integration"
    if found is None or reason is not None:
        settled = {"status": DeliveryStatus.failed.value, "last_error": reason}
        await session.execute(update(DELIVERY).where(DELIVERY.id == row.id).values(settled))
        return await claim_next(session, sweep, endpoint_id, now, lease)
    payload = {
        "type": found.type,
        "id": str(row.event_id),
        "timestamp": found.occurred_at.isoformat(),
        "data": found.data,
    }
    return Claimed(
        row.id, row.attempts, endpoint_id, endpoint.url, endpoint.secret_version, payload
    )


async def _consents(
    session: AsyncSession, sweep: Sweep, participant_id: uuid.UUID, integration_id: uuid.UUID
) -> bool:
    statement = select(IntegrationConsent.participant_id).where(
        IntegrationConsent.participant_id == participant_id,
        IntegrationConsent.integration_id == integration_id,
    )
    return (await session.execute(sweep.across(statement))).first() is not None


def retry_delay(attempts: int) -> timedelta | None:
    """How long after failed attempt number `attempts` to try again; None: no more."""
    if attempts > len(RETRY_SCHEDULE):
        return None
    seconds = RETRY_SCHEDULE[attempts - 1]
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 - jitter only


async def record_outcome(
    session: AsyncSession, sweep: Sweep, claimed: Claimed, outcome: Outcome, now: datetime
) -> None:
    """Settle the attempt: delivered; a retry scheduled; or failed, and the endpoint disabled
    when it answered 410 or this delivery's retries ran out (it failed for 72 hours, and
    nothing after it was sent meanwhile). Unless another process took the delivery over."""
    values: dict[str, Any] = {
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "updated_at": now,
    }
    disabled = None
    delay = retry_delay(claimed.attempts)
    if outcome.delivered:
        values |= {"status": DeliveryStatus.delivered.value, "delivered_at": now}
    elif outcome.status_code == 410 or delay is None:
        values["status"] = DeliveryStatus.failed.value
        disabled = DISABLED_GONE if outcome.status_code == 410 else DISABLED_FAILING
    else:
        values["next_attempt_at"] = now + delay
    statement = update(DELIVERY).where(
        DELIVERY.id == claimed.delivery_id, _pending(), DELIVERY.attempts == claimed.attempts
    )
    settled = await session.execute(statement.values(values))
    if disabled is not None and settled.rowcount:  # type: ignore[attr-defined]
        await disable_endpoint(session, sweep, claimed.endpoint_id, disabled, now)


async def disable_endpoint(
    session: AsyncSession, sweep: Sweep, endpoint_id: uuid.UUID, reason: str, now: datetime
) -> None:
    statement = (
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.is_active.is_(True))
        .values(is_active=False, disabled_reason=reason, updated_at=now)
    )
    if (await session.execute(statement)).rowcount:  # type: ignore[attr-defined]
        await record_event(session, sweep.actor, AuditAction.webhook_update, subject_id=endpoint_id)
