import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class AuditEventRead(BaseModel):
    """One audit event: who did what, to which participant or subject, and when.

    Events carry identifiers only, never e-mail addresses, names, codes or journal content."""

    model_config = ConfigDict(from_attributes=True)

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
