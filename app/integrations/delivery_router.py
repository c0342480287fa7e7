"""Admin routes for a webhook endpoint's delivery log and manual retries."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status

from app.auth.dependencies import AdminIdentity
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.integrations import deliveries
from app.integrations.delivery_schemas import DELIVERY_EXAMPLE, DeliveryPage, DeliveryRead
from app.integrations.router import IntegrationId
from app.integrations.webhook_router import WebhookId
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(
    prefix="/v1/admin/integrations/{integration_id}/webhooks/{webhook_id}/deliveries",
    tags=["admin"],
)

DeliveryId = Annotated[uuid.UUID, Path(description="The delivery's id.")]
ERRORS = (NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable)


@router.get(
    "",
    response_model=DeliveryPage,
    operation_id="listWebhookDeliveries",
    summary="List a webhook endpoint's deliveries",
    responses={
        200: json_example({"items": [DELIVERY_EXAMPLE], "next_cursor": None}),
        **problem_responses(*ERRORS),
    },
)
async def list_deliveries(
    integration_id: IntegrationId,
    webhook_id: WebhookId,
    _identity: AdminIdentity,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> DeliveryPage:
    """The endpoint's deliveries, newest first, a page at a time: each event's type and id,
    the delivery's status, attempts, last response code and times. No payload: the event
    is the thin one the receiver got (ids only), and a response body is never kept.

    The sweeper sends them (inside `journal serve`, or `journal sweep`), one at a time per
    endpoint in the order the events were committed; a failed attempt is retried after 5 s,
    30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then every 8 h (±20 % jitter) for about 72
    hours in all, after which the delivery is `failed` and the endpoint disabled."""
    ids = (integration_id, webhook_id)
    items, next_cursor = await deliveries.list_deliveries(session, ids, limit, cursor)
    return DeliveryPage(items=items, next_cursor=next_cursor)


@router.post(
    "/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryRead,
    operation_id="retryWebhookDelivery",
    summary="Send a delivery again",
    responses={
        202: json_example({**DELIVERY_EXAMPLE, "attempts": 0}),
        **problem_responses(*ERRORS),
    },
)
async def retry_delivery(
    integration_id: IntegrationId,
    webhook_id: WebhookId,
    delivery_id: DeliveryId,
    identity: AdminIdentity,
    session: SessionDep,
) -> DeliveryRead:
    """Queue the delivery (pending, failed or delivered) to be sent again at the sweeper's
    next pass, with a fresh retry schedule, in its place in the endpoint's order (so it goes
    before the endpoint's later events). A disabled endpoint is sent nothing until it is
    re-enabled (`PATCH … {"is_active": true}`). Another endpoint's delivery is `404`.
    Audited."""
    ids = (integration_id, webhook_id)
    return await deliveries.retry_delivery(session, identity.actor, ids, delivery_id)
