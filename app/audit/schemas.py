import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

AUDIT_EVENT_EXAMPLE: JsonDict = {
    "id": 4182,
    "occurred_at": "2026-11-21T10:15:00Z",
    "actor_id": "5b0f8f0e-3c1a-4d3e-9a57-2f6f1f6b9c01",
    "actor_role": "clinician",
    "action": "clinician.read_entries",
    "participant_id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
    "subject_id": None,
    "outcome": "success",
    "request_id": "7f3c9e2a1b4d4c5e8f6a0b1c2d3e4f5a",
}


class AuditEventRead(BaseModel):
    """One audit event: who did what, to which participant or subject, and when.

    Events carry identifiers only, never e-mail addresses, names, codes or journal content."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [AUDIT_EVENT_EXAMPLE]},
    )

    id: int = Field(description="Increases with every event; newer events have larger ids.")
    occurred_at: datetime
    actor_id: uuid.UUID | None = Field(
        description="The account that acted; `null` for an anonymous caller (failed sign-in)."
    )
    actor_role: str | None = Field(examples=["admin"])
    action: str = Field(examples=["assignment.set"])
    participant_id: uuid.UUID | None = Field(
        description="The participant whose data or care the event concerns, if any."
    )
    subject_id: uuid.UUID | None = Field(
        description=(
            "What the action was done to: the account for `account.*` events, the clinician "
            "for `assignment.*` events, the session for `auth.logout`."
        )
    )
    outcome: str = Field(examples=["success"])
    request_id: str | None = Field(description="The `X-Request-ID` of the request that acted.")
