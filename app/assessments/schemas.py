"""What a participant sends and reads of assessments, and the schedules a clinician sets."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from app.pagination import Page
from app.schemas import Rfc3339DateTime, StrictModel, json_integer, not_nullable
from app.support.schemas import SupportRead

MAX_FUTURE = timedelta(minutes=5)
InstrumentKey = Literal["phq-9", "phq-8", "gad-7", "who-5"]
# Each answer is an option's value: 0 to 3 (PHQ, GAD-7) or 0 to 5 (WHO-5); which options an
# item has depends on the instrument (`422` `answer-not-an-option`).
Answer = Annotated[int, Field(ge=0, le=5), BeforeValidator(json_integer)]
JsonInt = Annotated[int, BeforeValidator(json_integer)]
Version = Annotated[int, Field(ge=1, le=1000), BeforeValidator(json_integer)]


def not_in_future(value: datetime) -> datetime:
    if value.astimezone(UTC) > datetime.now(UTC) + MAX_FUTURE:
        raise PydanticCustomError(
            "datetime_in_future", "must not be more than 5 minutes in the future"
        )
    return value


CompletedAt = Annotated[
    Rfc3339DateTime,
    AfterValidator(not_in_future),
    Field(
        description="When it was completed, with its UTC offset (a naive time is refused); not "
        "more than 5 minutes in the future. Its offset gives `local_date`.",
        examples=["2026-11-20T08:30:00+01:00"],
    ),
]

ASSESSMENT_EXAMPLE: JsonDict = {
    "id": "6b1d3c52-93f0-4a6e-8a51-2f1c0e7d9a41",
    "instrument": "gad-7",
    "completed_at": "2026-11-20T08:30:00+01:00",
    "answers": [1, 2, 1, 0, 1, 2, 1],
}
ASSESSMENT_READ_EXAMPLE: JsonDict = {
    "id": "6b1d3c52-93f0-4a6e-8a51-2f1c0e7d9a41",
    "instrument": "gad-7",
    "version": 1,
    "completed_at": "2026-11-20T07:30:00Z",
    "utc_offset_minutes": 60,
    "local_date": "2026-11-20",
    "answers": [1, 2, 1, 0, 1, 2, 1],
    "total": 8,
    "percentage": None,
    "band": "mild",
    "flags": [],
    "created_at": "2026-11-20T07:31:12Z",
}


class AssessmentCreate(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ASSESSMENT_EXAMPLE]})

    id: uuid.UUID | None = Field(
        default=None,
        description="Client-made id: retrying with the same id and content is safe (200).",
    )
    instrument: InstrumentKey = Field(description="The instrument's key (`GET /v1/instruments`).")
    version: Version | None = Field(
        default=None,
        description="The instrument version the questions were shown in; left out: the "
        "current one. Any other than the current version is `422` `unknown-instrument-version`.",
        json_schema_extra=not_nullable,
    )
    completed_at: CompletedAt
    answers: list[Answer] = Field(
        min_length=5,
        max_length=9,
        description="The value of the option chosen for each item, in item order: exactly "
        "as many as the instrument has items (else `422` `wrong-number-of-answers`), each "
        "one of its options (else `422` `answer-not-an-option`).",
    )

    @field_validator("version", mode="before")
    @classmethod
    def reject_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out for the current version")
        return value


class AssessmentRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ASSESSMENT_READ_EXAMPLE]})

    id: uuid.UUID
    instrument: str = Field(examples=["gad-7"])
    version: int = Field(description="The instrument version it was scored with.")
    completed_at: datetime = Field(description="In UTC; `utc_offset_minutes` gives its offset.")
    utc_offset_minutes: int
    local_date: date = Field(description="The calendar day in the offset it was sent with.")
    answers: list[int]
    total: int = Field(description="The sum of the answers.")
    percentage: int | None = Field(
        description="WHO-5 only: the total times 4 (0 to 100); null for the others."
    )
    band: str | None = Field(
        description="The severity band the score falls in (see the instrument); null where "
        "the instrument has none for it (WHO-5 above 50). A band describes a score."
    )
    flags: list[str] = Field(description="Flags the answers set (PHQ-9: `self_harm_thoughts`).")
    created_at: datetime


class AssessmentCreated(AssessmentRead):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**ASSESSMENT_READ_EXAMPLE, "support": None}]}
    )

    support: SupportRead | None = Field(
        description="The clinic's support contacts when this assessment raised an urgent "
        "alert for your care team (a retry of the same id answers the same); else null."
    )


AssessmentPage = Page[AssessmentRead]

SCHEDULE_EXAMPLE: JsonDict = {
    "instrument": "gad-7",
    "every_days": 14,
    "updated_at": "2026-11-20T07:31:12Z",
}


class AssessmentScheduleUpdate(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"every_days": 14}]})

    every_days: JsonInt = Field(
        ge=1, le=90, description="Asked again this many days after the last."
    )


class AssessmentScheduleRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SCHEDULE_EXAMPLE]})

    instrument: str
    every_days: int
    updated_at: datetime


DUE_EXAMPLE: JsonDict = {
    "instrument": "gad-7",
    "every_days": 14,
    "last_completed_at": "2026-11-01T07:30:00Z",
    "due_since": "2026-11-15T07:30:00Z",
}


class DueRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [DUE_EXAMPLE]})

    instrument: str
    every_days: int
    last_completed_at: datetime | None = Field(description="Null: never completed.")
    due_since: datetime = Field(
        description="`every_days` after the last one; never completed: since it was first "
        "asked for."
    )
