import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, EmailStr, Field, field_validator

from app.schemas import StrictModel
from app.users.models import Role
from app.users.schemas import DisplayName, TimeZoneName, UserRead


class UserCreate(StrictModel):
    email: EmailStr = Field(max_length=320, examples=["sam@example.org"])
    role: Role
    display_name: DisplayName
    timezone: TimeZoneName = "UTC"


class UserUpdate(StrictModel):
    """Fields left out stay as they are; `null` is refused."""

    display_name: DisplayName | None = None
    is_active: bool | None = Field(
        default=None,
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


class ActivationCodeRead(BaseModel):
    activation_code: str = Field(
        description="One-time code for `POST /v1/auth/activate`. Shown only now; stored hashed.",
        examples=["ABCD-EFGH-JKMN"],
    )
    expires_at: datetime


class UserCreated(BaseModel):
    user: UserRead
    activation_code: str = Field(
        description="One-time code for `POST /v1/auth/activate`. Shown only now; stored hashed.",
        examples=["ABCD-EFGH-JKMN"],
    )
    activation_code_expires_at: datetime


class AssignmentSet(StrictModel):
    clinician_id: uuid.UUID = Field(
        description="An active clinician account.",
        examples=["5b0f8f0e-3c1a-4d3e-9a57-2f6f1f6b9c01"],
    )
