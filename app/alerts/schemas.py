"""Alerts as the care team and (without content) an admin see them."""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.config import JsonDict

from app.pagination import Page
from app.schemas import NO_NUL, StrictModel

AlertStatus = Literal["open", "acknowledged", "resolved"]
ALERT_EXAMPLE: JsonDict = {
    "id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "participant_id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
    "rule_key": "anxiety-high-3d",
    "kind": "rating_threshold",
    "severity": "routine",
    "status": "open",
    "summary": "Anxiety 8 or higher on each of 3 consecutive days: 9, 8.5, 9",
    "evidence": [
        {
            "days": [
                {"date": "2026-11-18", "mean": 9.0},
                {"date": "2026-11-19", "mean": 8.5},
                {"date": "2026-11-20", "mean": 9.0},
            ]
        }
    ],
    "raised_at": "2026-11-20T07:31:12Z",
    "acknowledge_by": "2026-11-21T07:31:12Z",
    "acknowledged_at": None,
    "acknowledged_by": None,
    "escalated_at": None,
    "resolved_at": None,
    "resolved_by": None,
    "resolution_note": None,
}


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [ALERT_EXAMPLE]})

    id: uuid.UUID
    participant_id: uuid.UUID
    rule_key: str
    kind: str
    severity: Literal["urgent", "routine"]
    status: AlertStatus
    summary: str = Field(description="What was reported or measured; never advice.")
    evidence: list[dict[str, Any]] = Field(
        description="The figures that fired it, one item per firing while it stayed unresolved."
    )
    raised_at: datetime
    acknowledge_by: datetime
    acknowledged_at: datetime | None
    acknowledged_by: uuid.UUID | None
    escalated_at: datetime | None
    resolved_at: datetime | None
    resolved_by: uuid.UUID | None
    resolution_note: str | None


class AlertPage(Page[AlertRead]):
    """A page of alerts: urgent first, then oldest first."""


class AlertResolution(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"resolution_note": "Called Sam; agreed next steps."}]}
    )

    resolution_note: str = Field(min_length=1, max_length=2000, json_schema_extra=NO_NUL)


OVERDUE_EXAMPLE: JsonDict = {
    "alert_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "participant_id": "8d6f2a4b-1c3e-4f5a-9b7c-0d1e2f3a4b5c",
    "participant_display_name": "Sam",
    "severity": "urgent",
    "raised_at": "2026-11-20T07:31:12Z",
    "acknowledge_by": "2026-11-20T08:31:12Z",
    "escalated_at": "2026-11-20T08:32:00Z",
    "primary_clinician": "Dr. Ada Okafor",
    "backup_clinician": "Dr. Lena Brandt",
}


class OverdueAlert(BaseModel):
    """An alert nobody acknowledged in time, without its content: for reassigning care."""

    model_config = ConfigDict(json_schema_extra={"examples": [OVERDUE_EXAMPLE]})

    alert_id: uuid.UUID
    participant_id: uuid.UUID
    participant_display_name: str
    severity: Literal["urgent", "routine"]
    raised_at: datetime
    acknowledge_by: datetime
    escalated_at: datetime | None
    primary_clinician: str | None = Field(description="`null` when nobody is assigned.")
    backup_clinician: str | None = Field(
        description="Covers from the escalation until the alert is resolved; `null` when the "
        "participant has no backup (then this list is the escalation)."
    )


class OverdueAlertList(BaseModel):
    items: list[OverdueAlert] = Field(description="Oldest deadline first (at most 500).")
