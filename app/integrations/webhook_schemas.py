"""What the webhook endpoint routes take and answer."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic.config import JsonDict

from app.auth.schemas import CLIENT_ID_EXAMPLE
from app.pagination import Page
from app.schemas import NO_NUL, StrictModel, not_nullable

EventType = Literal[
    "entry.created",
    "entry.updated",
    "entry.deleted",
    "assessment.completed",
    "alert.raised",
    "alert.acknowledged",
    "alert.escalated",
    "alert.resolved",
    "consent.granted",
    "consent.withdrawn",
]
Url = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        description="An `https` URL whose host resolves to public addresses only.",
        json_schema_extra=NO_NUL,
    ),
]
Events = Annotated[
    list[EventType],
    Field(min_length=1, max_length=10, description="The event types to send to it."),
]
WEBHOOK_SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105
WEBHOOK_EXAMPLE: JsonDict = {
    "id": "5b1c9e2a-3d4f-4a6b-8c7d-9e0f1a2b3c4d",
    "integration_id": CLIENT_ID_EXAMPLE,
    "url": "https://ehr.example.org/hooks/journal",
    "events": ["entry.created", "alert.raised"],
    "is_active": True,
    "disabled_reason": None,
    "created_at": "2026-12-01T09:00:00Z",
    "updated_at": "2026-12-01T09:00:00Z",
}


def _unique(events: list[str] | None) -> list[str] | None:
    return list(dict.fromkeys(events)) if events is not None else None


class WebhookCreate(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "url": "https://ehr.example.org/hooks/journal",
                    "events": ["entry.created", "alert.raised"],
                }
            ]
        }
    )

    url: Url
    events: Events

    _unique_events = field_validator("events")(_unique)


class WebhookUpdate(StrictModel):
    """Fields left out stay as they are; `null` is refused."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"events": ["alert.raised"]}]})

    url: Url | None = Field(default=None, json_schema_extra=not_nullable)
    events: Events | None = Field(default=None, json_schema_extra=not_nullable)
    is_active: StrictBool | None = Field(
        default=None,
        json_schema_extra=not_nullable,
        description="`false` stops deliveries to it; `true` resumes them (and clears "
        "`disabled_reason`).",
    )

    @field_validator("url", "events", "is_active", mode="before")
    @classmethod
    def reject_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value

    _unique_events = field_validator("events")(_unique)


class WebhookRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [WEBHOOK_EXAMPLE]})

    id: uuid.UUID
    integration_id: uuid.UUID
    url: str
    events: list[EventType]
    is_active: bool
    disabled_reason: str | None = Field(
        description="Why the service disabled it (`410 Gone`, 72 hours of failures); null "
        "while active or when an admin disabled it."
    )
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookRead):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**WEBHOOK_EXAMPLE, "secret": WEBHOOK_SECRET_EXAMPLE}]}
    )

    secret: str = Field(
        description="The Standard Webhooks signing secret (`whsec_…`), shown this once."
    )


class WebhookPage(Page[WebhookRead]):
    """A page of an integration's webhook endpoints, oldest first."""
