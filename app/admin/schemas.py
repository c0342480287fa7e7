import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StrictBool, field_validator

from app.journal.schemas import not_nullable
from app.schemas import StrictModel
from app.users.models import Role
from app.users.schemas import USER_EXAMPLE, DisplayName, TimeZoneName, UserRead

EMAIL_DESCRIPTION = (
    "An address that can receive mail: quoted local parts, IP-address domains and "
    "special-use domains (`.test`, `.localhost`, `.invalid`, …) are refused. Unique "
    "regardless of case."
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

    email: EmailStr = Field(
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
