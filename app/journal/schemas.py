import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError

from app.pagination import Page
from app.schemas import NO_NUL_PATTERN, Rfc3339DateTime, StrictModel, json_integer, not_nullable
from app.support.schemas import SupportRead

MAX_FUTURE = timedelta(minutes=5)
Rating = Annotated[int, Field(ge=0, le=10, examples=[6]), BeforeValidator(json_integer)]
Tag = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z0-9-]+$", examples=["walk"])]


def empty_note_is_none(value: str | None) -> str | None:
    return value or None


Note = Annotated[
    Annotated[str, Field(json_schema_extra={"pattern": NO_NUL_PATTERN})] | None,
    Field(
        max_length=2000,
        description="Free text, never logged; an empty note is stored as `null`.",
        examples=["Slept well; a long walk at lunch."],
    ),
    AfterValidator(empty_note_is_none),
]


def not_in_future(value: datetime) -> datetime:
    if value.astimezone(UTC) > datetime.now(UTC) + MAX_FUTURE:
        raise PydanticCustomError(
            "datetime_in_future", "must not be more than 5 minutes in the future"
        )
    return value


def unique_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tags))


RecordedAt = Annotated[
    Rfc3339DateTime,
    AfterValidator(not_in_future),
    Field(
        description=(
            "When the feeling was, with its UTC offset (a naive time is refused); not more "
            "than 5 minutes in the future."
        ),
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
    "note_shared": False,
    "tags": ["walk", "good-sleep"],
}
ENTRY_READ_EXAMPLE: JsonDict = {
    **ENTRY_EXAMPLE,
    "recorded_at": "2026-11-20T07:30:00Z",
    "utc_offset_minutes": 60,
    "local_date": "2026-11-20",
    "version": 1,
    "created_at": "2026-11-20T07:31:12Z",
    "updated_at": "2026-11-20T07:31:12Z",
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
    note_shared: StrictBool | None = Field(
        default=None,
        description="Whether your care team may read the note; left out: your account's "
        "`share_notes_with_care_team` preference. Ratings are always theirs to review.",
        json_schema_extra=not_nullable,
    )
    tags: Tags = Field(default_factory=list)

    @field_validator("note_shared", mode="before")
    @classmethod
    def reject_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to use your preference")
        return value


class EntryUpdate(StrictModel):
    """Only the fields sent change; `recorded_at`, `mood`, `focus`, `anxiety` and `tags`
    cannot be null."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"mood": 5, "note": None}]})

    recorded_at: RecordedAt | None = Field(default=None, json_schema_extra=not_nullable)
    mood: Rating | None = Field(default=None, json_schema_extra=not_nullable)
    focus: Rating | None = Field(default=None, json_schema_extra=not_nullable)
    anxiety: Rating | None = Field(default=None, json_schema_extra=not_nullable)
    creativity: Rating | None = Field(default=None, description="`null` clears it.")
    connection: Rating | None = Field(default=None, description="`null` clears it.")
    note: Note = None
    note_shared: StrictBool | None = Field(
        default=None,
        description="Share the note with your care team, or stop sharing it.",
        json_schema_extra=not_nullable,
    )
    tags: Tags | None = Field(default=None, json_schema_extra=not_nullable)

    @field_validator(
        "recorded_at", "mood", "focus", "anxiety", "note_shared", "tags", mode="before"
    )
    @classmethod
    def reject_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("must not be null; leave the field out to keep it")
        return value


def split_tags(stored: str) -> list[str]:
    """Tags as stored: ",calm,work," (see JournalEntry.tags)."""
    return [tag for tag in stored.split(",") if tag]


class EntryRead(BaseModel):
    # Read straight from database rows (attributes), in one pass of pydantic's core.
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [ENTRY_READ_EXAMPLE]}
    )

    id: uuid.UUID
    recorded_at: datetime = Field(description="In UTC.")
    utc_offset_minutes: int = Field(description="The offset `recorded_at` was sent with.")
    local_date: date = Field(description="The participant's calendar day of the entry.")
    mood: int
    focus: int
    anxiety: int
    creativity: int | None
    connection: int | None
    note: str | None = Field(
        description="Your own note. To your care team: `null` unless `note_shared`."
    )
    note_shared: bool = Field(description="Whether your care team may read the note.")
    tags: list[str]
    version: int
    created_at: datetime
    updated_at: datetime

    @field_validator("tags", mode="before")
    @classmethod
    def split_stored_tags(cls, value: object) -> object:
        return split_tags(value) if isinstance(value, str) else value


class EntryCreated(EntryRead):
    """The stored entry, and the clinic's support contacts when it raised an urgent alert."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{**ENTRY_READ_EXAMPLE, "support": None}]},
    )

    support: SupportRead | None = Field(
        description="Present when this entry raised an urgent alert for your care team: "
        "where to turn now. `null` otherwise."
    )


class EntryChange(BaseModel):
    """One item of the sync feed: the entry as it is now, or a tombstone."""

    id: uuid.UUID
    deleted: bool
    version: int
    updated_at: datetime
    entry: EntryRead | None = Field(description="Null for a deleted entry (tombstone).")


class ChangesPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": ENTRY_READ_EXAMPLE["id"],
                            "deleted": False,
                            "version": 1,
                            "updated_at": "2026-11-20T07:31:12Z",
                            "entry": ENTRY_READ_EXAMPLE,
                        },
                        {
                            "id": "9b2d6c1e-0f4a-4b7e-8c3d-5e6f7a8b9c0d",
                            "deleted": True,
                            "version": 3,
                            "updated_at": "2026-11-20T09:02:45Z",
                            "entry": None,
                        },
                    ],
                    "next_cursor": "WyJjaGFuZ2VzIiwxMl0",
                    "has_more": False,
                }
            ]
        }
    )

    items: list[EntryChange]
    next_cursor: str = Field(description="Pass it next time; it never skips a change.")
    has_more: bool = Field(description="More changes are waiting: ask again at once.")


class DimensionStats(BaseModel):
    count: int = Field(description="Entries that rated this dimension.")
    mean: float | None = Field(description="Rounded to 2 decimals; `null` without entries.")
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


def _stats(count: int, mean: float, low: int, high: int) -> JsonDict:
    return {"count": count, "mean": mean, "min": low, "max": high}


SUMMARY_EXAMPLE: JsonDict = {
    "from": "2026-11-19",
    "to": "2026-11-20",
    "entries": 3,
    "mood": _stats(3, 6.33, 5, 7),
    "focus": _stats(3, 6.0, 5, 7),
    "anxiety": _stats(3, 3.67, 3, 5),
    "creativity": _stats(2, 5.5, 5, 6),
    "connection": _stats(1, 8.0, 8, 8),
    "series": [
        {
            "period_start": "2026-11-19",
            "entries": 2,
            "mood": 6.0,
            "focus": 5.5,
            "anxiety": 4.0,
            "creativity": 6.0,
            "connection": None,
        },
        {
            "period_start": "2026-11-20",
            "entries": 1,
            "mood": 7.0,
            "focus": 7.0,
            "anxiety": 3.0,
            "creativity": 5.0,
            "connection": 8.0,
        },
    ],
}


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

    model_config = ConfigDict(
        populate_by_name=True,
        serialize_by_alias=True,
        json_schema_extra={"examples": [SUMMARY_EXAMPLE]},
    )


class EntryPage(Page[EntryRead]):
    """A page of entries."""
