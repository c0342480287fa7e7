import uuid
import zoneinfo
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.users.models import Role

# Re-exported: the admin schemas and the CLI take the display-name rules from here.
from app.users.names import DisplayName as DisplayName
from app.users.names import clean_display_name as clean_display_name


def valid_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("must be an IANA time zone name, such as Europe/Berlin") from exc
    return value


# A custom format: the names of the IANA tz database (Olson), as shipped in `tzdata`.
TIME_ZONE_FORMAT = "iana-time-zone"

TimeZoneName = Annotated[
    str,
    Field(
        max_length=64,
        description="An IANA time zone name, such as `Europe/Berlin` or `UTC`.",
        examples=["Europe/Berlin"],
        json_schema_extra={"format": TIME_ZONE_FORMAT},
    ),
    AfterValidator(valid_timezone),
]

USER_EXAMPLE: JsonDict = {
    "id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
    "email": "sam@example.org",
    "role": "participant",
    "display_name": "Sam",
    "timezone": "Europe/Berlin",
    "is_active": True,
    "created_at": "2026-10-01T08:55:00Z",
    "updated_at": "2026-10-01T08:55:00Z",
}


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [USER_EXAMPLE]})

    id: uuid.UUID
    email: str = Field(examples=["sam@example.org"])
    role: Role
    display_name: str = Field(examples=["Sam"])
    timezone: str = Field(examples=["Europe/Berlin"])
    is_active: bool
    created_at: datetime
    updated_at: datetime
