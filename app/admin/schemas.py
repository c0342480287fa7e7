import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    field_validator,
)
from pydantic.config import JsonDict

from app.admin.models import ApprovalKind, ApprovalStatus
from app.care.schemas import AssignmentRead
from app.pagination import Page
from app.schemas import StrictModel, not_nullable
from app.users.emails import normalize_email
from app.users.models import Role
from app.users.schemas import USER_EXAMPLE, DisplayName, TimeZoneName, UserRead

EMAIL_DESCRIPTION = (
    "An address that can receive mail: quoted local parts, IP-address domains and "
    "special-use domains (`.test`, `.localhost`, `.invalid`, …) are refused. Stored "
    "normalised (Unicode NFC, an `xn--` domain in its Unicode form, lower case) and unique "
    "in that form, so every spelling of an address is the same account."
)


class UserCreate(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "ada.okafor@example.org",
                    "role": "clinician",
                    "display_name": "Dr. Ada Okafor",
                    "timezone": "Europe/London",
                }
            ]
        }
    )

    # Stored in the form every look-up uses (sign-in, activation, uniqueness).
    email: Annotated[EmailStr, AfterValidator(normalize_email)] = Field(
        max_length=320, description=EMAIL_DESCRIPTION, examples=["sam@example.org"]
    )
    role: Role
    display_name: DisplayName
    timezone: TimeZoneName = "UTC"


class UserUpdate(StrictModel):
    """Fields left out stay as they are; `null` is refused."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"is_active": False}]})

    display_name: DisplayName | None = Field(default=None, json_schema_extra=not_nullable)
    is_active: StrictBool | None = Field(
        default=None,
        json_schema_extra=not_nullable,
        description=(
            "`false` deactivates the account and ends all its sessions at once; "
            "`true` lets it sign in again with its password."
        ),
    )

    @field_validator("display_name", "is_active", mode="before")
    @classmethod
    def reject_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


ACTIVATION_CODE_EXAMPLE = "ABCD-EFGH-JKMN"


class ActivationCodeRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"activation_code": ACTIVATION_CODE_EXAMPLE, "expires_at": "2026-11-27T10:00:00Z"}
            ]
        }
    )

    activation_code: str = Field(
        description="One-time code for `POST /v1/auth/activate`. Shown only now; stored hashed.",
        examples=["ABCD-EFGH-JKMN"],
    )
    expires_at: datetime


class UserCreated(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user": USER_EXAMPLE,
                    "activation_code": ACTIVATION_CODE_EXAMPLE,
                    "activation_code_expires_at": "2026-11-27T10:00:00Z",
                }
            ]
        }
    )

    user: UserRead
    activation_code: str = Field(
        description="One-time code for `POST /v1/auth/activate`. Shown only now; stored hashed.",
        examples=["ABCD-EFGH-JKMN"],
    )
    activation_code_expires_at: datetime


class AssignmentSet(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"clinician_id": "5b0f8f0e-3c1a-4d3e-9a57-2f6f1f6b9c01"}]}
    )

    clinician_id: uuid.UUID = Field(
        description="An active clinician account.",
        examples=["5b0f8f0e-3c1a-4d3e-9a57-2f6f1f6b9c01"],
    )


APPROVAL_EXAMPLE: JsonDict = {
    "id": "3f9a1c2e-7b4d-4e8f-a1b2-c3d4e5f6a7b8",
    "kind": "participant_recovery",
    "status": "pending",
    "participant_id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
    "clinician_id": None,
    "requested_by": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    "requested_at": "2026-11-20T09:00:00Z",
    "expires_at": "2026-11-21T09:00:00Z",
    "decided_by": None,
    "decided_at": None,
}


class ApprovalRead(BaseModel):
    """An admin action waiting for (or decided by) a second admin."""

    model_config = ConfigDict(json_schema_extra={"examples": [APPROVAL_EXAMPLE]})

    id: uuid.UUID
    kind: ApprovalKind = Field(
        description=(
            "`participant_recovery`: a fresh activation code for a participant who has "
            "already used their account. `new_clinician_assignment`: assigning the "
            "participant to a clinician account created less than 24 hours before."
        )
    )
    status: ApprovalStatus = Field(
        description="`expired`: no admin approved it within 24 hours; make a new request."
    )
    participant_id: uuid.UUID
    clinician_id: uuid.UUID | None = Field(
        description="The clinician of a `new_clinician_assignment`; else `null`."
    )
    requested_by: uuid.UUID
    requested_at: datetime
    expires_at: datetime
    decided_by: uuid.UUID | None
    decided_at: datetime | None


class ApprovalDecision(BaseModel):
    """An approved request, and what carrying it out produced."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "approval": {**APPROVAL_EXAMPLE, "status": "approved"},
                    "activation_code": ACTIVATION_CODE_EXAMPLE,
                    "activation_code_expires_at": "2026-11-27T10:00:00Z",
                    "assignment": None,
                }
            ]
        }
    )

    approval: ApprovalRead
    activation_code: str | None = Field(
        description=(
            "For `participant_recovery`: the one-time code, shown only to the approving "
            "admin, only now. `null` otherwise."
        )
    )
    activation_code_expires_at: datetime | None
    assignment: AssignmentRead | None = Field(
        description="For `new_clinician_assignment`: the assignment now in force."
    )


class AccountRead(UserRead):
    """An account as the admin sees it: for a clinician, also how many participants they
    care for now."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{**USER_EXAMPLE, "caseload": None}]},
    )

    caseload: int | None = Field(
        description="Clinicians: participants assigned to them now. `null` for other roles."
    )


class AccountPage(Page[AccountRead]):
    """A page of accounts."""


class ApprovalPage(Page[ApprovalRead]):
    """A page of approval requests."""
