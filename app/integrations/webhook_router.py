"""Admin routes for an integration's webhook endpoints (Standard Webhooks)."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from app.auth.dependencies import AdminIdentity
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.integrations import webhooks
from app.integrations.router import IntegrationId
from app.integrations.webhook_schemas import (
    WEBHOOK_EXAMPLE,
    WebhookCreate,
    WebhookCreated,
    WebhookPage,
    WebhookRead,
    WebhookUpdate,
)
from app.integrations.webhooks import WebhooksNotGranted
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(prefix="/v1/admin/integrations/{integration_id}/webhooks", tags=["admin"])

WebhookId = Annotated[uuid.UUID, Path(description="The webhook endpoint's id.")]
LOCATION_HEADER: dict[str, Any] = {
    "Location": {
        "description": "The webhook endpoint's URL.",
        "required": True,
        "schema": {"type": "string"},
        "example": f"/v1/admin/integrations/{WEBHOOK_EXAMPLE['integration_id']}/webhooks/"
        f"{WEBHOOK_EXAMPLE['id']}",
    }
}
WRITE_ERRORS = (BodyTooLarge, UnsupportedMediaType, InvalidInput)
READ_ERRORS = (NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    operation_id="createWebhook",
    summary="Add a webhook endpoint to an integration",
    responses={
        **problem_responses(
            NotAuthenticated,
            Forbidden,
            NotFound,
            WebhooksNotGranted,
            *WRITE_ERRORS,
            ServiceUnavailable,
        ),
        201: {"description": "Created", "headers": LOCATION_HEADER},
    },
)
async def create_webhook(
    integration_id: IntegrationId,
    body: WebhookCreate,
    identity: AdminIdentity,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> WebhookCreated:
    """Events of the participants who consent to the integration are to be sent to `url`,
    signed per Standard Webhooks with `secret` (`whsec_…`, in this answer only). Thin
    payloads: ids, type and time, never ratings, notes or answers. The integration must be
    granted `webhooks.receive` (else `409` `webhooks-not-granted`). The URL must be `https`
    and its host must resolve to public addresses only (`422` `webhook-url-refused`), unless
    the service runs with `JOURNAL_WEBHOOK_ALLOW_PRIVATE_URLS=true` (development). Audited,
    without the secret. The sweeper delivers events that happen from now on (see the
    `webhooks` section and `…/deliveries`)."""
    created = await webhooks.create_webhook(session, settings, identity.actor, integration_id, body)
    response.headers["Location"] = f"/v1/admin/integrations/{integration_id}/webhooks/{created.id}"
    return created


@router.get(
    "",
    response_model=WebhookPage,
    operation_id="listWebhooks",
    summary="List an integration's webhook endpoints",
    responses={
        200: json_example({"items": [WEBHOOK_EXAMPLE], "next_cursor": None}),
        **problem_responses(*READ_ERRORS),
    },
)
async def list_webhooks(
    integration_id: IntegrationId,
    _identity: AdminIdentity,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> WebhookPage:
    """The integration's endpoints, oldest first, a page at a time. No secrets."""
    items, next_cursor = await webhooks.list_webhooks(session, integration_id, limit, cursor)
    return WebhookPage(items=items, next_cursor=next_cursor)


@router.get(
    "/{webhook_id}",
    response_model=WebhookRead,
    operation_id="getWebhook",
    summary="Read one webhook endpoint",
    responses=problem_responses(*READ_ERRORS),
)
async def get_webhook(
    integration_id: IntegrationId,
    webhook_id: WebhookId,
    _identity: AdminIdentity,
    session: SessionDep,
) -> WebhookRead:
    """The endpoint's URL, events and state (with why the service disabled it, if it did)."""
    return webhooks.to_webhook_read(await webhooks.get_webhook(session, integration_id, webhook_id))


@router.patch(
    "/{webhook_id}",
    response_model=WebhookRead,
    operation_id="updateWebhook",
    summary="Change, disable or re-enable a webhook endpoint",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, *WRITE_ERRORS, ServiceUnavailable
    ),
)
async def update_webhook(
    integration_id: IntegrationId,
    webhook_id: WebhookId,
    body: WebhookUpdate,
    identity: AdminIdentity,
    session: SessionDep,
    settings: SettingsDep,
) -> WebhookRead:
    """Change `url` (checked as at creation), `events` or `is_active`. Audited."""
    ids = (integration_id, webhook_id)
    return await webhooks.update_webhook(session, settings, identity.actor, ids, body)


@router.delete(
    "/{webhook_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="deleteWebhook",
    summary="Remove a webhook endpoint",
    responses=problem_responses(*READ_ERRORS),
)
async def delete_webhook(
    integration_id: IntegrationId,
    webhook_id: WebhookId,
    identity: AdminIdentity,
    session: SessionDep,
) -> None:
    """The endpoint is removed: nothing more is sent to it, and its secret no longer signs
    anything. Audited."""
    await webhooks.delete_webhook(session, identity.actor, integration_id, webhook_id)
