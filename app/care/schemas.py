import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue


class AssignmentRead(BaseModel):
    """The clinician currently caring for a participant."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "participant_id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
                    "clinician_id": "5b0f8f0e-3c1a-4d3e-9a57-2f6f1f6b9c01",
                    "clinician_display_name": "Dr. Ada Okafor",
                    "started_at": "2026-10-01T09:00:00Z",
                    "assigned_by": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                }
            ]
        }
    )

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


BACKUP_EXAMPLE: dict[str, JsonValue] = {
    "participant_id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
    "clinician_id": "7c1d9e2f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
    "clinician_display_name": "Dr. Lena Brandt",
    "started_at": "2026-10-01T09:00:00Z",
    "assigned_by": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
}


class BackupRead(AssignmentRead):
    """The participant's backup clinician: reaches the participant only while covering an
    escalated alert (from its escalation until it is resolved)."""

    model_config = ConfigDict(json_schema_extra={"examples": [BACKUP_EXAMPLE]})


class ParticipantCare(BaseModel):
    """Who cares for a participant now, and who has: for the admin, never journal content."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "participant_id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
                    "current": None,
                    "history": [
                        {
                            "clinician_id": "5b0f8f0e-3c1a-4d3e-9a57-2f6f1f6b9c01",
                            "clinician_display_name": "Dr. Ada Okafor",
                            "started_at": "2026-10-01T09:00:00Z",
                            "ended_at": "2026-11-28T16:00:00Z",
                            "assigned_by": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                            "ended_by": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                        }
                    ],
                }
            ]
        }
    )

    participant_id: uuid.UUID
    current: AssignmentRead | None = Field(description="`null`: no clinician is assigned.")
    history: list[AssignmentHistoryItem] = Field(
        description="Every assignment, oldest first, the open one (if any) last."
    )
    backup: BackupRead | None = Field(
        default=None, description="The backup clinician now; `null`: none."
    )
    backup_history: list[AssignmentHistoryItem] = Field(
        default_factory=list,
        description="Every backup period, oldest first, the open one (if any) last.",
    )


class ClinicianInfo(BaseModel):
    display_name: str
    assigned_since: datetime


class CareTeamMember(BaseModel):
    display_name: str = Field(examples=["Dr. Ada Okafor"])


class CareTeam(BaseModel):
    """Who cares for you: your primary clinician, and the backup who steps in when an
    alert is not acknowledged in time."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "primary": {"display_name": "Dr. Ada Okafor"},
                    "backup": {"display_name": "Dr. Lena Brandt"},
                }
            ]
        }
    )

    primary: CareTeamMember | None = Field(description="`null`: no clinician is assigned.")
    backup: CareTeamMember | None = Field(description="`null`: no backup clinician.")
