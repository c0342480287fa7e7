import uuid
import zoneinfo
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.schemas import StrictModel
from app.users.models import Role


def valid_timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("must be an IANA time zone name, such as Europe/Berlin") from exc
    return value


def clean_display_name(value: str) -> str:
    if any(ord(char) < 32 for char in value):
        raise ValueError("must not contain control characters")
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


# `str.isspace()` characters that are not control characters: what `strip()` removes.
_SPACES = r" \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# The JSON Schema twin of `clean_display_name`: no control character (U+0000 to U+001F),
# and at least one character that is not a space.
DISPLAY_NAME_PATTERN = rf"^[^\x00-\x1f]*[^\x00-\x1f{_SPACES}][^\x00-\x1f]*$"
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
DisplayName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        description="Not blank, no control characters; surrounding spaces are trimmed.",
        examples=["Sam"],
        json_schema_extra={"pattern": DISPLAY_NAME_PATTERN},
    ),
    AfterValidator(clean_display_name),
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


class MeUpdate(StrictModel):
    """Fields left out (or `null`) stay as they are."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"display_name": "Sam K.", "timezone": "Europe/Lisbon"}]}
    )

    display_name: DisplayName | None = None
    timezone: TimeZoneName | None = None
