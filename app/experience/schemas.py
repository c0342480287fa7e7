"""What a participant reports of an unusual or adverse experience, and what each reader sees."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from app.pagination import Page
from app.schemas import NO_NUL, Rfc3339DateTime, StrictModel
from app.support.schemas import SupportRead

MAX_FUTURE = timedelta(minutes=5)
ReportSeverity = Literal["mild", "moderate", "severe"]
SEVERITY_RANK: dict[str, int] = {"mild": 0, "moderate": 1, "severe": 2}


def not_in_future(value: datetime) -> datetime:
    if value.astimezone(UTC) > datetime.now(UTC) + MAX_FUTURE:
        raise PydanticCustomError(
            "datetime_in_future", "must not be more than 5 minutes in the future"
        )
    return value


OccurredAt = Annotated[
    Rfc3339DateTime,
    AfterValidator(not_in_future),
    Field(
        description="When it happened, with its UTC offset (a naive time is refused); not "
        "more than 5 minutes in the future.",
        examples=["2026-11-20T08:30:00+01:00"],
    ),
]

REPORT_EXAMPLE: JsonDict = {
    "id": "0d5c7a9e-1f43-4b8e-9c27-5e6a8b3d4f10",
    "occurred_at": "2026-11-20T08:30:00+01:00",
    "severity": "moderate",
    "description": "Felt dizzy for an hour after waking.",
    "shared": True,
}
REPORT_READ_EXAMPLE: JsonDict = {
    **REPORT_EXAMPLE,
    "occurred_at": "2026-11-20T07:30:00Z",
    "utc_offset_minutes": 60,
    "created_at": "2026-11-20T07:31:12Z",
}


class ExperienceReportCreate(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [REPORT_EXAMPLE]})

    id: uuid.UUID | None = Field(
        default=None,
        description="Client-made id: retrying with the same id and content is safe (200).",
    )
    occurred_at: OccurredAt
    severity: ReportSeverity = Field(description="How severe it was, as you judge it.")
    description: str = Field(
        max_length=2000,
        description="What happened, in your words; never logged. Your care team reads it "
        "only when `shared` is true.",
        json_schema_extra=NO_NUL,
    )
    shared: StrictBool = Field(description="Whether your care team may read the description.")


class ExperienceReportRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [REPORT_READ_EXAMPLE]})

    id: uuid.UUID
    occurred_at: datetime = Field(description="In UTC; `utc_offset_minutes` gives its offset.")
    utc_offset_minutes: int
    severity: ReportSeverity
    description: str | None = Field(
        description="The participant's words; for the care team, null unless `shared`."
    )
    shared: bool
    created_at: datetime


class ExperienceReportCreated(ExperienceReportRead):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**REPORT_READ_EXAMPLE, "support": None}]}
    )

    support: SupportRead | None = Field(
        description="The clinic's support contacts when this report raised an urgent alert "
        "for your care team (a retry of the same id answers the same); else null."
    )


ExperienceReportPage = Page[ExperienceReportRead]
