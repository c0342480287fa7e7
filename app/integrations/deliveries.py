"""An endpoint's delivery log, for admins, and a manual retry."""

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.db import utcnow
from app.errors import NotFound
from app.integrations.delivery_schemas import DeliveryRead
from app.integrations.models import DeliveryStatus, WebhookDelivery
from app.integrations.webhooks import get_webhook
from app.pagination import before_instant, decode_instant_cursor, encode_instant_cursor, fetch_page

_CURSOR_KIND = "webhook-deliveries"


def to_delivery_read(delivery: WebhookDelivery) -> DeliveryRead:
    return DeliveryRead.model_validate(
        {
            "id": delivery.id,
            "webhook_id": delivery.endpoint_id,
            "event_id": delivery.event_id,
            "event_type": delivery.event_type,
            "event_occurred_at": delivery.event_occurred_at,
            "participant_id": delivery.participant_id,
            "status": delivery.status,
            "attempts": delivery.attempts,
            "next_attempt_at": delivery.next_attempt_at,
            "last_attempt_at": delivery.last_attempt_at,
            "last_status_code": delivery.last_status_code,
            "last_error": delivery.last_error,
            "delivered_at": delivery.delivered_at,
            "created_at": delivery.created_at,
        }
    )


async def list_deliveries(
    session: AsyncSession,
    ids: tuple[uuid.UUID, uuid.UUID],
    limit: int,
    cursor: str | None,
) -> tuple[list[DeliveryRead], str | None]:
    """Newest first, keyset-paginated on (created_at, id); 404 for another integration's
    endpoint."""
    endpoint = await get_webhook(session, *ids)
    statement = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
    )
    if cursor is not None:
        before: tuple[datetime, uuid.UUID] = decode_instant_cursor(_CURSOR_KIND, cursor)
        statement = statement.where(
            before_instant(WebhookDelivery.created_at, WebhookDelivery.id, *before)
        )
    deliveries, next_cursor = await fetch_page(
        session,
        statement,
        limit,
        lambda item: encode_instant_cursor(_CURSOR_KIND, item.created_at, item.id),
        objects=True,
    )
    return [to_delivery_read(item) for item in deliveries], next_cursor


async def retry_delivery(
    session: AsyncSession,
    actor: Actor,
    ids: tuple[uuid.UUID, uuid.UUID],
    delivery_id: uuid.UUID,
) -> DeliveryRead:
    """Send it again at the next pass, with a fresh retry schedule (`attempts` from 0),
    in its place in the endpoint's order. Audited."""
    endpoint = await get_webhook(session, *ids)
    now = utcnow()
    statement = (
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint.id)
        .values(
            status=DeliveryStatus.pending.value,
            attempts=0,
            next_attempt_at=now,
            delivered_at=None,
            updated_at=now,
        )
        .returning(WebhookDelivery)
    )
    delivery = (await session.execute(statement)).scalar_one_or_none()
    if delivery is None:
        raise NotFound("No such delivery.")
    await record_event(session, actor, AuditAction.webhook_update, subject_id=delivery.id)
    return to_delivery_read(delivery)
