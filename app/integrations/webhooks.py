"""An integration's webhook endpoints, for admins: create (the signing secret shown once),
list, read, change, delete. Audited, never with the secret. Only an integration granted
`webhooks.receive` may have endpoints."""

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.config import Settings
from app.db import utcnow
from app.errors import Conflict, NotFound
from app.integrations.models import WebhookEndpoint
from app.integrations.service import get_integration
from app.integrations.webhook_schemas import (
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)
from app.integrations.webhook_secrets import webhook_secret
from app.integrations.webhook_urls import check_webhook_url
from app.pagination import after_instant, decode_instant_cursor, encode_instant_cursor, fetch_page

_CURSOR_KIND = "webhooks"
RECEIVE_SCOPE = "webhooks.receive"


class WebhooksNotGranted(Conflict):
    code = "webhooks-not-granted"
    example = "The integration is not granted `webhooks.receive`: it cannot have webhooks."


def to_webhook_read(endpoint: WebhookEndpoint) -> WebhookRead:
    return WebhookRead.model_validate(
        {
            "id": endpoint.id,
            "integration_id": endpoint.integration_id,
            "url": endpoint.url,
            "events": endpoint.events.split(),
            "is_active": endpoint.is_active,
            "disabled_reason": endpoint.disabled_reason,
            "created_at": endpoint.created_at,
            "updated_at": endpoint.updated_at,
        }
    )


async def create_webhook(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    integration_id: uuid.UUID,
    data: WebhookCreate,
) -> WebhookCreated:
    """A new endpoint, and its signing secret (answered this once)."""
    client = await get_integration(session, integration_id)
    if RECEIVE_SCOPE not in client.scopes.split():
        raise WebhooksNotGranted(WebhooksNotGranted.example)
    await check_webhook_url(data.url, allow_private=settings.webhook_allow_private_urls)
    now = utcnow()
    endpoint = WebhookEndpoint(
        id=uuid.uuid4(),
        integration_id=integration_id,
        url=data.url,
        events=" ".join(data.events),
        secret_version=1,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    await session.flush()
    await record_event(session, actor, AuditAction.webhook_create, subject_id=endpoint.id)
    secret = webhook_secret(settings, endpoint.id, endpoint.secret_version)
    return WebhookCreated(**to_webhook_read(endpoint).model_dump(), secret=secret)


async def list_webhooks(
    session: AsyncSession, integration_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[WebhookRead], str | None]:
    """Oldest first, keyset-paginated on (created_at, id)."""
    await get_integration(session, integration_id)
    statement = (
        select(WebhookEndpoint)
        .where(WebhookEndpoint.integration_id == integration_id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    if cursor is not None:
        after: tuple[datetime, uuid.UUID] = decode_instant_cursor(_CURSOR_KIND, cursor)
        statement = statement.where(
            after_instant(WebhookEndpoint.created_at, WebhookEndpoint.id, *after)
        )
    endpoints, next_cursor = await fetch_page(
        session,
        statement,
        limit,
        lambda endpoint: encode_instant_cursor(_CURSOR_KIND, endpoint.created_at, endpoint.id),
        objects=True,
    )
    return [to_webhook_read(endpoint) for endpoint in endpoints], next_cursor


async def get_webhook(
    session: AsyncSession, integration_id: uuid.UUID, webhook_id: uuid.UUID
) -> WebhookEndpoint:
    statement = select(WebhookEndpoint).where(
        WebhookEndpoint.id == webhook_id, WebhookEndpoint.integration_id == integration_id
    )
    endpoint = (await session.execute(statement)).scalar_one_or_none()
    if endpoint is None:
        raise NotFound("No such webhook endpoint.")
    return endpoint


async def update_webhook(
    session: AsyncSession,
    settings: Settings,
    actor: Actor,
    ids: tuple[uuid.UUID, uuid.UUID],
    changes: WebhookUpdate,
) -> WebhookRead:
    """Change what was sent; a new URL is checked as at creation. Audited."""
    endpoint = await get_webhook(session, *ids)
    sent = changes.model_dump(exclude_unset=True)
    if "url" in sent:
        await check_webhook_url(sent["url"], allow_private=settings.webhook_allow_private_urls)
    if "events" in sent:
        sent["events"] = " ".join(sent["events"])
    if sent.get("is_active"):
        sent["disabled_reason"] = None
    differing = {field: value for field, value in sent.items() if getattr(endpoint, field) != value}
    if differing:
        for field, value in differing.items():
            setattr(endpoint, field, value)
        endpoint.updated_at = utcnow()
        await session.flush()
        await record_event(session, actor, AuditAction.webhook_update, subject_id=endpoint.id)
    return to_webhook_read(endpoint)


async def delete_webhook(
    session: AsyncSession, actor: Actor, integration_id: uuid.UUID, webhook_id: uuid.UUID
) -> None:
    """Nothing more is sent to it. Audited."""
    endpoint = await get_webhook(session, integration_id, webhook_id)
    await session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint.id))
    await record_event(session, actor, AuditAction.webhook_delete, subject_id=endpoint.id)
