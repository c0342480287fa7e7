"""The FHIR response type, the query parameters of `$everything`, and OpenAPI examples."""

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import JSONResponse

from app.fhir import resources
from app.fhir.terminology import FHIR_JSON, FHIR_VERSION, QUESTIONNAIRES
from app.pagination import DEFAULT_LIMIT, MAX_LIMIT
from app.schemas import Rfc3339DateTime


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON


def fhir_example(value: object, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {FHIR_JSON: {"schema": {"type": "object"}, "example": value}},
    }


SinceQuery = Annotated[
    Rfc3339DateTime | None,
    Query(
        alias="_since",
        description="Only resources changed at or after this instant (RFC 3339 with an "
        "offset): entries created or edited, assessments submitted since then.",
        examples=["2026-11-01T00:00:00Z"],
    ),
]
CountQuery = Annotated[
    int,
    Query(
        alias="_count",
        ge=1,
        le=MAX_LIMIT,
        description="Entries and assessments per page (1 to 200); an assessment brings two "
        "resources (its QuestionnaireResponse and its total's Observation).",
    ),
]
DEFAULT_COUNT = DEFAULT_LIMIT

_PARTICIPANT = uuid.UUID("0b6a3c2e-8f1d-4e4a-9c57-2d3f4a5b6c7d")
_ENTRY = {
    "id": uuid.UUID("5f0c6b1e-2a3d-4c8e-9f10-1a2b3c4d5e6f"),
    "participant_id": _PARTICIPANT,
    "recorded_at": datetime(2026, 11, 20, 19, 30, tzinfo=UTC),
    "utc_offset_minutes": 60,
    "mood": 6, "focus": 5, "anxiety": 3, "creativity": None, "connection": 7,
    "note": None, "version": 1,
    "updated_at": datetime(2026, 11, 20, 19, 31, tzinfo=UTC),
}  # fmt: skip
_ASSESSMENT = {
    "id": uuid.UUID("8d1e2f3a-4b5c-4d6e-8f70-9a0b1c2d3e4f"),
    "participant_id": _PARTICIPANT,
    "instrument": "gad-7",
    "completed_at": datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
    "utc_offset_minutes": 60,
    "answers": [1, 1, 2, 0, 1, 0, 1],
    "total": 6,
    "created_at": datetime(2026, 11, 21, 9, 0, tzinfo=UTC),
}
EVERYTHING_EXAMPLE = {
    "resourceType": "Bundle",
    "type": "searchset",
    "timestamp": "2026-11-21T09:05:00Z",
    "link": [
        {"relation": "self", "url": f"https://journal.example/fhir/r4/Patient/{_PARTICIPANT}"
         "/$everything?_count=50"},
        {"relation": "next", "url": f"https://journal.example/fhir/r4/Patient/{_PARTICIPANT}"
         "/$everything?_count=50&cursor=WyJmaGlyLWV2ZXJ5dGhpbmciXQ"},
    ],
    "entry": [
        resources.bundle_entry(resources.patient(_PARTICIPANT, None), "match"),
        resources.bundle_entry(resources.entry_observation(_ENTRY), "include"),
        *resources.assessment_entries(_ASSESSMENT, "include"),
    ],
}  # fmt: skip
QUESTIONNAIRE_EXAMPLE = QUESTIONNAIRES["gad-7"]
FHIR_VERSION_NOTE = f"FHIR {FHIR_VERSION} (R4)"
EXPORT_EXAMPLE = {
    "resourceType": "Bundle",
    "type": "collection",
    "timestamp": "2026-11-21T09:05:00Z",
    "entry": [
        resources.bundle_entry(resources.patient(_PARTICIPANT, "Sam")),
        resources.bundle_entry(resources.entry_observation(_ENTRY)),
        *resources.assessment_entries(_ASSESSMENT),
    ],
}
