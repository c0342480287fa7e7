import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic.config import JsonDict

from app.schemas import StrictModel

MAX_FUTURE = timedelta(minutes=5)

Rating = Annotated[int, Field(ge=0, le=10, examples=[6])]
Tag = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9-]+$", examples=["walk"])]


def empty_note_is_none(value: str | None) -> str | None:
    return value or None


Note = Annotated[
    str | None,
    Field(max_length=2000, examples=["Slept well; a long walk at lunch."]),
    AfterValidator(empty_note_is_none),
]


def not_in_future(value: datetime) -> datetime:
    if value.astimezone(UTC) > datetime.now(UTC) + MAX_FUTURE:
        raise ValueError("must not be more than 5 minutes in the future")
    return value


def unique_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


RecordedAt = Annotated[
    AwareDatetime,
    AfterValidator(not_in_future),
    Field(
        description="When the feeling was, with its UTC offset (a naive time is refused).",
        examples=["2026-11-20T08:30:00+01:00"],
    ),
]
Tags = Annotated[list[Tag], Field(max_length=10), AfterValidator(unique_tags)]

ENTRY_EXAMPLE: JsonDict = {
    "id": "3f0c2a8e-7d51-4c1e-9a55-0a9f4f6f2b10",
    "recorded_at": "2026-11-20T08:30:00+01:00",
    "mood": 7,
    "focus": 6,
    "anxiety": 3,
    "creativity": 5,
    "connection": 8,
    "note": "Slept well; a long walk at lunch.",
    "tags": ["walk", "good-sleep"],
}


class EntryCreate(StrictModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY_EXAMPLE]})

    id: uuid.UUID | None = Field(
        default=None,
        description="Client-made id: retrying with the same id and content is safe (200).",
    )
    recorded_at: RecordedAt
    mood: Rating = Field(description="0 = very low, 10 = very good.")
    focus: Rating = Field(description="0 = cannot focus, 10 = fully focused.")
    anxiety: Rating = Field(description="0 = calm, 10 = extremely anxious.")
    creativity: Rating | None = None
    connection: Rating | None = Field(default=None, description="Felt connection to others.")
    note: Note = None
    tags: Tags = Field(default_factory=list)


class EntryUpdate(StrictModel):
    """Only the fields sent change; `mood`, `focus`, `anxiety` and `recorded_at` cannot be null."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"mood": 5, "note": None}]})

    recorded_at: RecordedAt | None = None
    mood: Rating | None = None
    focus: Rating | None = None
    anxiety: Rating | None = None
    creativity: Rating | None = None
    connection: Rating | None = None
    note: Note = None
    tags: Tags | None = None

    @model_validator(mode="after")
    def required_fields_not_null(self) -> "EntryUpdate":
        for name in ("recorded_at", "mood", "focus", "anxiety", "tags"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class EntryRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ENTRY_EXAMPLE]})

    id: uuid.UUID
    recorded_at: datetime = Field(description="In UTC.")
    utc_offset_minutes: int = Field(description="The offset `recorded_at` was sent with.")
    local_date: date = Field(description="The participant's calendar day of the entry.")
    mood: int
    focus: int
    anxiety: int
    creativity: int | None
    connection: int | None
    note: str | None
    tags: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class EntryChange(BaseModel):
    """One item of the sync feed: the entry as it is now, or a tombstone."""

    id: uuid.UUID
    deleted: bool
    version: int
    updated_at: datetime
    entry: EntryRead | None = Field(description="Null for a deleted entry (tombstone).")


class ChangesPage(BaseModel):
    items: list[EntryChange]
    next_cursor: str = Field(description="Pass it next time; it never skips a change.")
    has_more: bool


class DimensionStats(BaseModel):
    count: int
    mean: float | None
    min: int | None
    max: int | None


class SeriesPoint(BaseModel):
    period_start: date = Field(
        description="The local date (daily series) or the Monday of the ISO week (weekly)."
    )
    entries: int
    mood: float | None
    focus: float | None
    anxiety: float | None
    creativity: float | None
    connection: float | None


class Summary(BaseModel):
    """Descriptive statistics of what was reported; no advice of any kind."""

    from_date: date = Field(alias="from")
    to_date: date = Field(alias="to")
    entries: int
    mood: DimensionStats
    focus: DimensionStats
    anxiety: DimensionStats
    creativity: DimensionStats
    connection: DimensionStats
    series: list[SeriesPoint]

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class ClinicianInfo(BaseModel):
    display_name: str
    assigned_since: datetime


class MyClinician(BaseModel):
    clinician: ClinicianInfo | None


class AccessLogItem(BaseModel):
    accessed_at: datetime
    accessor: str = Field(description="The clinician's display name, or `administrator`.")
    accessor_role: Literal["clinician", "admin"]
    data: str = Field(
        description="What was read or changed: overview, profile, entries, summary, account."
    )


ExportFormat = Literal["json", "csv"]
