"""What the integration routes take and answer."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from pydantic.config import JsonDict

from app.alerts.schemas import ALERT_EXAMPLE, AlertStatus
from app.auth.schemas import CLIENT_ID_EXAMPLE, CLIENT_SECRET_EXAMPLE
from app.pagination import Page
from app.schemas import NO_NUL, StrictModel, not_nullable

Scope = Literal["entries.read", "assessments.read", "alerts.read", "fhir.read", "webhooks.receive"]
Name = Annotated[str, Field(min_length=1, max_length=100, json_schema_extra=NO_NUL)]
Description = Annotated[str, Field(max_length=500, json_schema_extra=NO_NUL)]
Scopes = Annotated[
    list[Scope],
    Field(
        max_length=5,
        description="What the integration may be granted: `entries.read`, `assessments.read`, "
        "`alerts.read`, `fhir.read`, `webhooks.receive`.",
    ),
]

INTEGRATION_EXAMPLE: JsonDict = {
    "id": CLIENT_ID_EXAMPLE,
    "client_id": CLIENT_ID_EXAMPLE,
    "name": "Riverside EHR",
    "description": "Copies journal entries into the clinic's health record.",
    "scopes": ["entries.read", "assessments.read"],
    "is_active": True,
    "created_at": "2026-12-01T09:00:00Z",
    "updated_at": "2026-12-01T09:00:00Z",
}


def _unique(scopes: list[str]) -> list[str]:
    return list(dict.fromkeys(scopes))


class IntegrationCreate(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Riverside EHR",
                    "description": "Copies journal entries into the clinic's health record.",
                    "scopes": ["entries.read", "assessments.read"],
                }
            ]
        }
    )

    name: Name
    description: Description = ""
    scopes: Scopes

    _unique_scopes = field_validator("scopes")(_unique)


class IntegrationUpdate(StrictModel):
    """Fields left out stay as they are; `null` is refused."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"is_active": False}]})

    name: Name | None = Field(default=None, json_schema_extra=not_nullable)
    description: Description | None = Field(default=None, json_schema_extra=not_nullable)
    scopes: Scopes | None = Field(default=None, json_schema_extra=not_nullable)
    is_active: StrictBool | None = Field(
        default=None,
        json_schema_extra=not_nullable,
        description="`false` deactivates the client: its tokens stop working on the next "
        "request and it gets no new ones; `true` lets it request tokens again.",
    )

    @field_validator("name", "description", "scopes", "is_active", mode="before")
    @classmethod
    def reject_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value

    _unique_scopes = field_validator("scopes")(
        lambda scopes: _unique(scopes) if scopes is not None else None
    )


class IntegrationRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [INTEGRATION_EXAMPLE]})

    id: uuid.UUID
    client_id: str = Field(description="The OAuth2 client id: the integration's id.")
    name: str
    description: str
    scopes: list[Scope]
    is_active: bool
    created_at: datetime
    updated_at: datetime


class IntegrationCreated(IntegrationRead):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**INTEGRATION_EXAMPLE, "client_secret": CLIENT_SECRET_EXAMPLE}]
        }
    )

    client_secret: str = Field(
        description="Shown this once: only its hash is kept. Lost, it can only be rotated."
    )


class IntegrationSecret(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"client_id": CLIENT_ID_EXAMPLE, "client_secret": CLIENT_SECRET_EXAMPLE}]
        }
    )

    client_id: str
    client_secret: str = Field(description="Shown this once; the previous secret has stopped.")


class IntegrationPage(Page[IntegrationRead]):
    """A page of integrations, oldest first."""


MY_INTEGRATION_EXAMPLE: JsonDict = {
    "id": CLIENT_ID_EXAMPLE,
    "name": "Riverside EHR",
    "description": "Copies journal entries into the clinic's health record.",
    "scopes": ["entries.read", "assessments.read"],
    "consented": True,
    "consented_at": "2026-12-02T18:20:00Z",
}


class MyIntegrationRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MY_INTEGRATION_EXAMPLE]})

    id: uuid.UUID
    name: str
    description: str
    scopes: list[Scope] = Field(description="What it could read of your data if you consent.")
    consented: bool
    consented_at: datetime | None


PARTICIPANT_EXAMPLE: JsonDict = {
    "id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
    "display_name": "Sam",
    "consented_at": "2026-12-02T18:20:00Z",
}


CONSENT_EXAMPLE: JsonDict = {
    "integration_id": CLIENT_ID_EXAMPLE,
    "integration_name": "Riverside EHR",
    "consented_at": "2026-12-02T18:20:00Z",
}


class ConsentRead(BaseModel):
    """A consent the participant gives now (withdrawn ones are not kept)."""

    model_config = ConfigDict(json_schema_extra={"examples": [CONSENT_EXAMPLE]})

    integration_id: uuid.UUID
    integration_name: str
    consented_at: datetime


class IntegrationParticipantRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PARTICIPANT_EXAMPLE]})

    id: uuid.UUID
    display_name: str
    consented_at: datetime


class IntegrationParticipantPage(Page[IntegrationParticipantRead]):
    """A page of consenting participants, in the order they consented."""


IntegrationAlertFields = (
    "id",
    "participant_id",
    "kind",
    "severity",
    "status",
    "summary",
    "raised_at",
    "acknowledge_by",
    "acknowledged_at",
    "escalated_at",
    "resolved_at",
)
INTEGRATION_ALERT_EXAMPLE: JsonDict = {key: ALERT_EXAMPLE[key] for key in IntegrationAlertFields}


class IntegrationAlertRead(BaseModel):
    """An alert as an integration sees it: its state and summary; not the evidence, the
    resolution note or who on the care team acted."""

    model_config = ConfigDict(json_schema_extra={"examples": [INTEGRATION_ALERT_EXAMPLE]})

    id: uuid.UUID
    participant_id: uuid.UUID
    kind: str
    severity: Literal["urgent", "routine"]
    status: AlertStatus
    summary: str = Field(description="What was reported or measured; never advice.")
    raised_at: datetime
    acknowledge_by: datetime
    acknowledged_at: datetime | None
    escalated_at: datetime | None
    resolved_at: datetime | None


class IntegrationAlertPage(Page[IntegrationAlertRead]):
    """A page of alerts, newest first."""
