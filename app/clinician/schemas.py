import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.journal.schemas import ENTRY_READ_EXAMPLE, EntryRead
from app.pagination import Page
from app.schemas import NO_NUL, Rfc3339DateTime, StrictModel


class DimensionTrend(BaseModel):
    mean_7d: float | None = Field(
        description="Mean over the participant's last 7 local days (today included)."
    )
    mean_prior_28d: float | None = Field(description="Mean over the 28 local days before those.")
    change: float | None = Field(description="`mean_7d - mean_prior_28d`; descriptive only.")


def _trend(mean_7d: float, mean_prior_28d: float) -> JsonDict:
    return {
        "mean_7d": mean_7d,
        "mean_prior_28d": mean_prior_28d,
        "change": round(mean_7d - mean_prior_28d, 2),
    }


OVERVIEW_EXAMPLE: JsonDict = {
    "participant_id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
    "display_name": "Sam",
    "timezone": "Europe/Berlin",
    "assigned_since": "2026-10-01T09:00:00Z",
    "last_entry_at": "2026-11-20T07:30:00Z",
    "entries_7d": 9,
    "unreviewed": 4,
    "reviewed_through": "2026-11-18T18:00:00Z",
    "mood": _trend(6.4, 5.9),
    "focus": _trend(6.1, 6.0),
    "anxiety": _trend(3.2, 4.1),
    "creativity": _trend(5.5, 5.0),
    "connection": {"mean_7d": None, "mean_prior_28d": 7.0, "change": None},
    "open_alerts": {"urgent": 0, "routine": 1},
    "overdue_alerts": 0,
    "days_since_last_entry": 0,
    "logged_days_14d": 11,
    "attention_reasons": ["routine_alert", "unreviewed_entries"],
    "latest_scores": [
        {"instrument": "phq-9", "total": 7, "band": "mild", "completed_at": "2026-11-19T18:00:00Z"}
    ],
}
AttentionReason = Literal[
    "urgent_alert",
    "overdue_alert",
    "routine_alert",
    "unreviewed_entries",
    "no_entries",
    "no_entry_3d",
    "mood_drop",
]


class LatestScore(BaseModel):
    instrument: str = Field(examples=["phq-9"])
    total: int
    band: str | None = Field(description="The instrument's severity band of the total.")
    completed_at: datetime


class OpenAlerts(BaseModel):
    urgent: int = Field(description="Unresolved urgent alerts.")
    routine: int = Field(description="Unresolved routine alerts.")


class ParticipantOverview(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [OVERVIEW_EXAMPLE]})

    participant_id: uuid.UUID
    display_name: str
    timezone: str
    assigned_since: datetime
    last_entry_at: datetime | None
    entries_7d: int = Field(
        description="Entries on the participant's last 7 local days (today included)."
    )
    unreviewed: int = Field(
        description="Live entries that reached the service, or were last changed, after your "
        "review mark: late uploads and edits count, whatever their `recorded_at`."
    )
    reviewed_through: datetime | None
    mood: DimensionTrend
    focus: DimensionTrend
    anxiety: DimensionTrend
    creativity: DimensionTrend
    connection: DimensionTrend
    open_alerts: OpenAlerts
    overdue_alerts: int = Field(
        description="Alerts still open past their acknowledgement deadline."
    )
    days_since_last_entry: int | None = Field(
        description="Local days (the participant's own) since the day of their latest entry: "
        "0 when they logged today; `null` when they never have."
    )
    logged_days_14d: int = Field(
        description="How many of the last 14 local days (today included) have an entry."
    )
    attention_reasons: list[AttentionReason] = Field(
        description="Why the participant is where they are in the attention order, and what "
        "else stands out, as short codes: `urgent_alert` (an urgent alert is unresolved), "
        "`overdue_alert` (an alert is open past its acknowledgement deadline), "
        "`routine_alert` (a routine alert is unresolved), `unreviewed_entries`, "
        "`no_entries` (none yet), `no_entry_3d` (no entry for 3 or more local days), "
        "`mood_drop` (7-day mood mean 2 or more below the 28 days before). Descriptive only."
    )
    latest_scores: list[LatestScore] = Field(
        description="The latest assessment of each instrument the participant has completed "
        "(by instrument): its total and severity band."
    )


class ReviewMarkUpdate(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reviewed_through": "2026-11-20T18:00:00Z"}]}
    )

    reviewed_through: Rfc3339DateTime = Field(
        description="Everything the service had received or changed by this instant counts "
        "as reviewed by you. Not in the future (`422`; up to a minute ahead is taken as now, "
        "for clock skew).",
        examples=["2026-11-20T18:00:00Z"],
    )


class ReviewMarkRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "participant_id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
                    "reviewed_through": "2026-11-20T18:00:00Z",
                    "unreviewed": 0,
                    "updated_at": "2026-11-20T18:00:02Z",
                }
            ]
        }
    )

    participant_id: uuid.UUID
    reviewed_through: datetime | None = Field(
        description="Your mark; `null` when you have not set one (then every entry is unreviewed)."
    )
    unreviewed: int = Field(description="Live entries received or changed after the mark.")
    updated_at: datetime | None = Field(description="When you last set the mark.")


class ClinicianEntryRead(EntryRead):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{**ENTRY_READ_EXAMPLE, "unreviewed": True}]}
    )

    unreviewed: bool = Field(
        description="`true` when the entry reached the service, or was last changed, after "
        "your review mark (or you have none)."
    )


class ParticipantOverviewPage(Page[ParticipantOverview]):
    """A page of participants with their figures."""


class ClinicianEntryPage(Page[ClinicianEntryRead]):
    """A page of a participant's entries, each marked reviewed or not."""


NoteVisibility = Literal["care_team", "participant"]
NOTE_EXAMPLE: JsonDict = {
    "id": "0b8e7c6d-5a4f-4e3d-8c2b-1a0f9e8d7c6b",
    "author": "Dr. Ada Okafor",
    "visibility": "participant",
    "text": "Reviewed the last two weeks with Sam; we agreed to talk again on Friday.",
    "supersedes": None,
    "superseded_by": None,
    "created_at": "2026-11-21T10:30:00Z",
}


class ClinicianNoteCreate(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"text": NOTE_EXAMPLE["text"], "visibility": "participant"}]
        }
    )

    text: str = Field(
        min_length=1,
        max_length=5000,
        description="What you saw and did. Append-only: correct it with a note that "
        "`supersedes` it.",
        json_schema_extra=NO_NUL,
    )
    visibility: NoteVisibility = Field(
        description="`care_team`: the care team only; `participant`: also shown to the "
        "participant (`GET /v1/me/care-notes`, their export)."
    )
    supersedes: uuid.UUID | None = Field(
        default=None,
        description="The id of an earlier note of this participant that this one corrects; "
        "a note is superseded at most once (`409`).",
    )


class ClinicianNoteRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [NOTE_EXAMPLE]})

    id: uuid.UUID
    author: str = Field(description="The author's display name when they wrote it.")
    visibility: NoteVisibility
    text: str
    supersedes: uuid.UUID | None
    superseded_by: uuid.UUID | None = Field(description="The note that corrects this one.")
    created_at: datetime


class ClinicianNotePage(Page[ClinicianNoteRead]):
    """A page of clinician notes, newest first."""
