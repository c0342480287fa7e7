"""The clinic's support contacts, as an admin sets them and a participant reads them."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.schemas import NO_NUL, IsoDate, StrictModel

ShortText = Annotated[str, Field(min_length=1, max_length=200, json_schema_extra=NO_NUL)]
WebAddress = Annotated[
    str,
    Field(
        max_length=500,
        # ASCII only, the same in every regex engine (an international host in punycode).
        pattern=r"^https?://[A-Za-z0-9.-]+\.[A-Za-z]{2,63}(:[0-9]{1,5})?([/?#][!-~]*)?$",
        description="An http(s) address.",
    ),
]
PhoneNumber = Annotated[
    str,
    Field(
        min_length=2,
        max_length=32,
        pattern=r"^\+?[0-9][0-9 ()-]*[0-9]$",
        description="As dialled, e.g. `+44 800 123 4567` or `116 123`.",
    ),
]

RESOURCE_EXAMPLE: JsonDict = {
    "name": "Clinic on-call line",
    "description": "A clinician of the programme answers, day and night.",
    "country": "GB",
    "phone": "+44 20 7946 0000",
    "sms": None,
    "url": "https://clinic.example/contact",
    "hours": "24 hours, every day",
    "source_url": "https://clinic.example/contact",
    "verified_at": "2026-11-01",
}
SUPPORT_EXAMPLE: JsonDict = {
    "message": "If you need to talk to someone now, these people are there for you.",
    "resources": [RESOURCE_EXAMPLE],
}


class SupportResource(StrictModel):
    """One place a participant can turn to, as the clinic entered it."""

    name: ShortText
    description: str = Field(min_length=1, max_length=500, json_schema_extra=NO_NUL)
    country: str | None = Field(
        default=None, pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 code."
    )
    phone: PhoneNumber | None = None
    sms: PhoneNumber | None = None
    url: WebAddress | None = None
    hours: ShortText | None = None
    source_url: WebAddress | None = Field(
        default=None, description="Where the clinic checked the entry (for its own review)."
    )
    verified_at: IsoDate | None = Field(default=None, description="When it was last checked.")


class SupportUpdate(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SUPPORT_EXAMPLE]})

    message: str = Field(
        min_length=1,
        max_length=500,
        description="Shown above the contacts. It says where help is; it never advises.",
        json_schema_extra=NO_NUL,
    )
    resources: list[SupportResource] = Field(max_length=10)


class SupportRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SUPPORT_EXAMPLE]})

    message: str | None = Field(description="`null` until the clinic has set its contacts.")
    resources: list[SupportResource]


class SupportSettingsRead(SupportRead):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**SUPPORT_EXAMPLE, "updated_at": "2026-11-01T09:00:00Z"}]}
    )

    updated_at: datetime | None = Field(description="`null` until first set.")
