"""The OpenAPI 3.1 `webhooks` section: what the service POSTs to an endpoint for each event.

Documentation only (FastAPI's `app.webhooks`): these operations describe requests the
service makes, they are not routes it serves."""

import uuid
from datetime import datetime
from typing import Any, Literal, get_args

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from app.integrations.webhook_schemas import EventType

router = APIRouter(tags=["integrations"])

PARTICIPANT = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
AT = "2026-12-01T09:00:00+00:00"
SUBJECTS = {
    "entry": ("entry_id", "The journal entry's id (read it with `GET /v1/integration/…`)."),
    "assessment": ("assessment_id", "The completed assessment's id."),
    "consent": ("integration_id", "The integration the consent is to (yours)."),
    "alert": ("alert_id", "The alert's id."),
}


def _example(event: str) -> dict[str, Any]:
    kind = event.split(".")[0]
    data: dict[str, Any] = {
        SUBJECTS[kind][0]: "2f9e8d7c-6b5a-4c3d-8e1f-0a9b8c7d6e5f",
        "participant_id": PARTICIPANT,
        "occurred_at": AT,
    }
    if kind == "alert":
        data |= {"severity": "urgent", "status": event.removeprefix("alert.")}
    return {"type": event, "id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "timestamp": AT,
            "data": data}  # fmt: skip


class ThinEventData(BaseModel):
    """Ids, and an alert's severity and state: never ratings, notes or answers. The receiver
    reads the record through the API, within its own token's access."""

    model_config = ConfigDict(extra="allow")

    participant_id: uuid.UUID
    occurred_at: datetime
    entry_id: uuid.UUID | None = Field(default=None, description=SUBJECTS["entry"][1])
    assessment_id: uuid.UUID | None = Field(default=None, description=SUBJECTS["assessment"][1])
    integration_id: uuid.UUID | None = Field(default=None, description=SUBJECTS["consent"][1])
    alert_id: uuid.UUID | None = Field(default=None, description=SUBJECTS["alert"][1])
    severity: Literal["routine", "urgent"] | None = Field(default=None, description="Alerts.")
    status: str | None = Field(default=None, description="Alerts: the state it moved to.")


class WebhookEvent(BaseModel):
    """The body of every webhook: signed per Standard Webhooks (`webhook-signature` is
    `v1,` and base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under the
    endpoint's secret)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_example("entry.created")]})

    type: EventType
    id: uuid.UUID = Field(description="The event's id; also the `webhook-id` header.")
    timestamp: datetime = Field(description="When the event happened.")
    data: ThinEventData


def _body_schema() -> dict[str, Any]:
    """`WebhookEvent`'s schema with its data inlined: these operations take no parameters
    (nothing to validate, no `422`), so their request body is given whole."""
    schema = WebhookEvent.model_json_schema()
    definitions = schema.pop("$defs")
    schema["properties"]["data"] = definitions["ThinEventData"]
    return schema


HEADERS = [
    ("webhook-id", "The event's id: the same on every attempt (de-duplicate by it)."),
    ("webhook-timestamp", "Unix seconds of this attempt (signed afresh on each)."),
    ("webhook-signature", "`v1,` and the base64 HMAC-SHA256 signature."),
]


def _describe(event: str) -> None:
    async def operation() -> None:
        """Documentation only."""

    router.post(
        event,
        operation_id="webhook" + "".join(part.capitalize() for part in event.split(".")),
        summary=f"`{event}` is sent to subscribed endpoints",
        description=f"The service POSTs this when `{event}` happens to a participant who "
        "consents to the endpoint's integration. At least once (de-duplicate by `webhook-id`), "
        "in commit order per endpoint; retried with backoff for about 72 hours.",
        status_code=204,
        responses={204: {"description": "Received: any 2xx. `410 Gone` disables the endpoint."}},
        openapi_extra={
            "parameters": [
                {
                    "name": name,
                    "in": "header",
                    "required": True,
                    "description": text,
                    "schema": {"type": "string"},
                }
                for name, text in HEADERS
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": _body_schema(), "example": _example(event)}
                },
            },
        },
    )(operation)


for _event in get_args(EventType):
    _describe(_event)
