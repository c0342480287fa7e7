import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class AssignmentRead(BaseModel):
    """The clinician currently caring for a participant."""

    participant_id: uuid.UUID
    clinician_id: uuid.UUID
    clinician_display_name: str = Field(examples=["Dr. Ada Okafor"])
    started_at: datetime
    assigned_by: uuid.UUID | None = Field(
        description="The admin who made the assignment (`null` if that account is gone)."
    )


class AssignmentHistoryItem(BaseModel):
    """One period of care, open (`ended_at` is `null`) or closed."""

    clinician_id: uuid.UUID
    clinician_display_name: str = Field(examples=["Dr. Ada Okafor"])
    started_at: datetime
    ended_at: datetime | None
    assigned_by: uuid.UUID | None
    ended_by: uuid.UUID | None
