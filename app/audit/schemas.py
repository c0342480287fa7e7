import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.pagination import Page

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
    "client_request_id": "dashboard-7731",
    "actor_display_name": "Dr. Ada Okafor",
}


class AuditEventRead(BaseModel):
    """One audit event: who did what, to which participant or subject, and when.

    Events carry identifiers only, never e-mail addresses, codes or journal content; the one
    name they keep is a clinician's or admin's own display name as it was when they acted."""

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
    request_id: str | None = Field(
        description=(
            "The server-made id of the request that acted: the `X-Request-ID` its response "
            "carried (a client cannot choose it)."
        )
    )
    client_request_id: str | None = Field(
        description=(
            "What the client sent as `X-Request-ID`, if it sent a safe one (up to 128 "
            "letters, digits and `._:-`): for matching the client's own logs, not to be "
            "trusted."
        )
    )
    actor_display_name: str | None = Field(
        description=(
            "A clinician's or admin's display name when the event was recorded (a later "
            "rename does not change it); `null` for participants and anonymous callers."
        )
    )


SecurityNoticeKind = Literal[
    "account_recovery_started",
    "password_set_with_recovery_code",
    "clinician_assigned",
    "clinician_unassigned",
]

SECURITY_NOTICE_EXAMPLE: JsonDict = {
    "kind": "account_recovery_started",
    "occurred_at": "2026-11-21T10:15:00Z",
    "message": (
        "An administrator issued a recovery code for your account: whoever uses it can set "
        "a new password and sign in as you. If you did not ask for one, contact your clinic."
    ),
}


class SecurityNoticeRead(BaseModel):
    """Something that changed who can reach your journal: read it, and act if it was not you."""

    model_config = ConfigDict(json_schema_extra={"examples": [SECURITY_NOTICE_EXAMPLE]})

    kind: SecurityNoticeKind = Field(
        description=(
            "`account_recovery_started`: an administrator issued a recovery code for your "
            "account after it had been in use. `password_set_with_recovery_code`: such a code "
            "was used to set a new password (your other sessions ended). "
            "`clinician_assigned` / `clinician_unassigned`: your care team changed; the "
            "clinician now assigned can read your journal (`GET /v1/me/clinician`)."
        )
    )
    occurred_at: datetime
    message: str = Field(description="The same, in a sentence (English) a client may show.")


ACCESS_LOG_EXAMPLE: JsonDict = {
    "accessed_at": "2026-11-21T10:15:00Z",
    "accessor": "Dr. Ada Okafor",
    "accessor_role": "clinician",
    "data": "entries",
}


class AccessLogItem(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ACCESS_LOG_EXAMPLE]})

    accessed_at: datetime
    accessor: str = Field(
        description=(
            "The clinician's (or integration's) name as it was at the time, `administrator`, or "
            "`recovery code` (your account, after a new password was set with one)."
        )
    )
    accessor_role: Literal[
        "clinician", "covering_clinician", "admin", "participant", "integration"
    ] = Field(
        description="`covering_clinician`: your backup clinician, who stepped in because an "
        "alert about you was not acknowledged in time (until it was resolved). "
        "`integration`: another system you consented to (`accessor` is its name)."
    )
    data: str = Field(
        description="What was read or changed: overview, profile, entries, summary, notes "
        "(the care team's own), alerts, assessments, experience_reports, account."
    )
    security_notice: SecurityNoticeKind | None = Field(
        default=None,
        description=(
            "Set when the event is also a security notice (`GET /v1/me/security-notices`): "
            "show such items prominently."
        ),
    )


class AuditEventPage(Page[AuditEventRead]):
    """A page of audit events."""


class SecurityNoticePage(Page[SecurityNoticeRead]):
    """A page of security notices."""


class AccessLogPage(Page[AccessLogItem]):
    """A page of access-log items."""
