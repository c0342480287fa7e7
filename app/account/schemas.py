"""The signed-in account's own API: profile, clinician, access log, export."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from app.assessments.schemas import ASSESSMENT_READ_EXAMPLE, AssessmentRead
from app.audit.schemas import ACCESS_LOG_EXAMPLE, AccessLogItem
from app.care.schemas import AssignmentHistoryItem, ClinicianInfo
from app.clinician.schemas import NOTE_EXAMPLE, ClinicianNoteRead
from app.experience.schemas import REPORT_READ_EXAMPLE, ExperienceReportRead
from app.integrations.schemas import CONSENT_EXAMPLE, ConsentRead
from app.journal.schemas import ENTRY_READ_EXAMPLE, EntryRead
from app.schemas import StrictModel
from app.users.schemas import USER_EXAMPLE, DisplayName, TimeZoneName, UserRead


class MeUpdate(StrictModel):
    """Fields left out (or `null`) stay as they are."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"display_name": "Sam K.", "timezone": "Europe/Lisbon"}]}
    )

    display_name: DisplayName | None = None
    timezone: TimeZoneName | None = None
    share_notes_with_care_team: StrictBool | None = Field(
        default=None,
        description="Whether the notes of entries you write from now on are shared with "
        "your care team (`note_shared` of each entry; entries already written keep theirs). "
        "Only a participant's entries have notes.",
    )


class MeRead(UserRead):
    """The signed-in account, with what it has not seen yet."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    **USER_EXAMPLE,
                    "unseen_security_notices": 1,
                    "share_notes_with_care_team": False,
                }
            ]
        },
    )

    share_notes_with_care_team: bool = Field(
        description="The default `note_shared` of new entries (`false` until you change "
        "it); only a participant's entries have notes."
    )
    unseen_security_notices: int = Field(
        ge=0,
        description=(
            "Security notices (account recovery, care-team changes) recorded since you last "
            "listed them at `GET /v1/me/security-notices`. Show them when this is not 0. "
            "Always 0 for clinician and admin accounts."
        ),
        examples=[1],
    )


class MyClinician(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "clinician": {
                        "display_name": "Dr. Ada Okafor",
                        "assigned_since": "2026-10-01T09:00:00Z",
                    }
                },
                {"clinician": None},
            ]
        }
    )

    clinician: ClinicianInfo | None = Field(description="`null` while no clinician is assigned.")


ExportFormat = Literal["json", "csv", "assessments-csv", "experience-reports-csv", "fhir"]


class JournalExport(BaseModel):
    """The JSON export (`format=json`): everything the service holds about the participant."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "exported_at": "2026-11-21T10:20:00+00:00",
                    "profile": USER_EXAMPLE,
                    "entries": [ENTRY_READ_EXAMPLE],
                    "assignments": [
                        {
                            "clinician_id": "5b0f8f0e-3c1a-4d3e-9a57-2f6f1f6b9c01",
                            "clinician_display_name": "Dr. Ada Okafor",
                            "started_at": "2026-10-01T09:00:00Z",
                            "ended_at": None,
                            "assigned_by": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                            "ended_by": None,
                        }
                    ],
                    "access_log": [ACCESS_LOG_EXAMPLE],
                    "care_notes": [NOTE_EXAMPLE],
                    "assessments": [ASSESSMENT_READ_EXAMPLE],
                    "experience_reports": [REPORT_READ_EXAMPLE],
                    "integration_consents": [CONSENT_EXAMPLE],
                }
            ]
        }
    )

    exported_at: datetime
    profile: UserRead
    entries: list[EntryRead] = Field(description="Oldest first; deleted entries are left out.")
    assignments: list[AssignmentHistoryItem] = Field(description="Every period of care.")
    access_log: list[AccessLogItem] = Field(description="Oldest first.")
    care_notes: list[ClinicianNoteRead] = Field(
        description="The notes your care team wrote for you to read, oldest first."
    )
    assessments: list[AssessmentRead] = Field(description="Oldest first, with their scores.")
    experience_reports: list[ExperienceReportRead] = Field(description="Oldest first.")
    integration_consents: list[ConsentRead] = Field(
        description="The integrations you consent to now, oldest consent first."
    )
