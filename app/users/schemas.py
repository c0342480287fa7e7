import uuid
import zoneinfo
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.schemas import StrictModel
from app.users.models import Role


def valid_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("must be an IANA time zone name, such as Europe/Berlin") from exc
    return value


def clean_display_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    if any(ord(char) < 32 for char in value):
        raise ValueError("must not contain control characters")
    return value


TimeZoneName = Annotated[
    str, Field(max_length=64, examples=["Europe/Berlin"]), AfterValidator(valid_timezone)
]
DisplayName = Annotated[
    str, Field(min_length=1, max_length=100, examples=["Sam"]), AfterValidator(clean_display_name)
]


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str = Field(examples=["sam@example.org"])
    role: Role
    display_name: str = Field(examples=["Sam"])
    timezone: str = Field(examples=["Europe/Berlin"])
    is_active: bool
    created_at: datetime
    updated_at: datetime


class MeUpdate(StrictModel):
    display_name: DisplayName | None = None
    timezone: TimeZoneName | None = None
