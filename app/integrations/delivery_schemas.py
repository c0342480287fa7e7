"""What the webhook delivery log routes answer: states and the thin event's ids, never a
payload's content."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.integrations.webhook_schemas import EventType
from app.pagination import Page

DELIVERY_EXAMPLE: JsonDict = {
    "id": "7c2d0f3b-4e5a-4b6c-9d8e-0f1a2b3c4d5e",
    "webhook_id": "5b1c9e2a-3d4f-4a6b-8c7d-9e0f1a2b3c4d",
    "event_id": "2f9e8d7c-6b5a-4c3d-8e1f-0a9b8c7d6e5f",
    "event_type": "entry.created",
    "event_occurred_at": "2026-12-01T09:00:00Z",
    "participant_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
    "status": "pending",
    "attempts": 2,
    "next_attempt_at": "2026-12-01T09:00:40Z",
    "last_attempt_at": "2026-12-01T09:00:05Z",
    "last_status_code": 503,
    "last_error": "answered 503",
    "delivered_at": None,
    "created_at": "2026-12-01T09:00:00Z",
}


class DeliveryRead(BaseModel):
    """One event to send to one endpoint, and how its sending went."""

    model_config = ConfigDict(json_schema_extra={"examples": [DELIVERY_EXAMPLE]})

    id: uuid.UUID
    webhook_id: uuid.UUID
    event_id: uuid.UUID = Field(description="The event's id: the `webhook-id` header.")
    event_type: EventType
    event_occurred_at: datetime
    participant_id: uuid.UUID
    status: Literal["pending", "delivered", "failed"] = Field(
        description="`pending` until the endpoint answers 2xx (`delivered`) or the retries "
        "run out or it answers `410` (`failed`)."
    )
    attempts: int
    next_attempt_at: datetime = Field(description="When a pending delivery is tried next.")
    last_attempt_at: datetime | None
    last_status_code: int | None = Field(description="The endpoint's last HTTP status, if any.")
    last_error: str | None = Field(
        description="Why the last attempt failed, in the service's words (`timed out`, "
        "`answered 500`, `redirect not followed`, `refused: …`); never a response body."
    )
    delivered_at: datetime | None
    created_at: datetime


class DeliveryPage(Page[DeliveryRead]):
    """A page of an endpoint's deliveries, newest first."""
