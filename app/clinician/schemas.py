import uuid
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from app.schemas import StrictModel


class DimensionTrend(BaseModel):
    mean_7d: float | None = Field(description="Mean over the last 7 days.")
    mean_prior_28d: float | None = Field(description="Mean over the 28 days before those.")
    change: float | None = Field(description="`mean_7d - mean_prior_28d`; descriptive only.")


class ParticipantOverview(BaseModel):
    participant_id: uuid.UUID
    display_name: str
    timezone: str
    assigned_since: datetime
    last_entry_at: datetime | None
    entries_7d: int
    unreviewed: int = Field(description="Entries recorded after your review mark.")
    reviewed_through: datetime | None
    mood: DimensionTrend
    focus: DimensionTrend
    anxiety: DimensionTrend
    creativity: DimensionTrend
    connection: DimensionTrend


class ReviewMarkUpdate(StrictModel):
    reviewed_through: AwareDatetime = Field(
        description="Entries recorded at or before this instant count as reviewed.",
        examples=["2026-11-20T18:00:00Z"],
    )


class ReviewMarkRead(BaseModel):
    participant_id: uuid.UUID
    reviewed_through: datetime
    unreviewed: int
