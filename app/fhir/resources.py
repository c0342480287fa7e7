"""A participant's data as FHIR R4 resources (plain dicts): the pseudonymous Patient, an
Observation panel per journal entry, and per assessment a QuestionnaireResponse with an
Observation of its total."""

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from app.fhir.terminology import (
    ENTRY_PANEL,
    LOINC,
    OBSERVATION_CATEGORY,
    RATING_SYSTEM,
    RATINGS,
    questionnaire_url,
)
from app.instruments.definitions import INSTRUMENTS

PATIENT_IDENTIFIER_SYSTEM = "https://wellbeing-journal.example/fhir/participant-id"
SURVEY = {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
# An assessment yields two resources: the total's id is derived from the assessment's, so that
# it is the same on every fetch and a client can update what it stored.
TOTAL_NAMESPACE = uuid.UUID("6f1d0a52-3c7e-4d47-9d7a-4b0f5f6c2e11")

Row = Mapping[str, Any]


def full_url(resource_id: uuid.UUID) -> str:
    return f"urn:uuid:{resource_id}"


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# FHIR's dateTime takes offsets up to 14 hours either way; the API takes any under 24.
MAX_FHIR_OFFSET_MINUTES = 14 * 60


def local_time(value: datetime, offset_minutes: int) -> str:
    """The instant as the participant's clock showed it, with that offset (in UTC for an
    offset FHIR cannot write: the instant stays right)."""
    if abs(offset_minutes) > MAX_FHIR_OFFSET_MINUTES:
        return instant(value)
    return value.astimezone(timezone(timedelta(minutes=offset_minutes))).isoformat()


def patient(participant_id: uuid.UUID, display_name: str | None) -> dict[str, Any]:
    """Pseudonymous: an identifier, and a name only for the participant themself."""
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(participant_id),
        "identifier": [{"system": PATIENT_IDENTIFIER_SYSTEM, "value": str(participant_id)}],
    }
    if display_name is not None:
        resource["name"] = [{"text": display_name}]
    return resource


def entry_observation(row: Row) -> dict[str, Any]:
    """A journal entry: a survey panel whose components are its ratings (those recorded)."""
    subject = {"reference": full_url(row["participant_id"])}
    components = [
        {"code": {"coding": [{"system": RATING_SYSTEM, "code": code, "display": display}]},
         "valueInteger": row[code]}
        for code, display in RATINGS.items()
        if row[code] is not None
    ]  # fmt: skip
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(row["id"]),
        "meta": {"lastUpdated": instant(row["updated_at"])},
        "status": "final" if row["version"] == 1 else "amended",
        "category": [SURVEY],
        "code": {
            "coding": [{"system": RATING_SYSTEM, "code": ENTRY_PANEL, "display": "Journal entry"}]
        },
        "subject": subject,
        "effectiveDateTime": local_time(row["recorded_at"], row["utc_offset_minutes"]),
    }
    if components:
        resource["component"] = components
    if row["note"] is not None:
        resource["note"] = [{"text": row["note"]}]
    return resource


def total_observation_id(assessment_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(TOTAL_NAMESPACE, str(assessment_id))


def questionnaire_response(row: Row) -> dict[str, Any]:
    """The assessment's answers, each coded with its LOINC answer code where LOINC has one."""
    instrument = INSTRUMENTS[row["instrument"]]
    by_value = {option.value: option for option in instrument.options}
    items = []
    for number, (item, value) in enumerate(zip(instrument.items, row["answers"], strict=True), 1):
        option = by_value[value]
        answer: dict[str, Any] = (
            {"valueCoding": {"system": LOINC, "code": option.loinc, "display": option.text}}
            if option.loinc is not None
            else {"valueInteger": value}
        )
        items.append({"linkId": str(number), "text": item.text, "answer": [answer]})
    return {
        "resourceType": "QuestionnaireResponse",
        "id": str(row["id"]),
        "meta": {"lastUpdated": instant(row["created_at"])},
        "questionnaire": f"{questionnaire_url(instrument)}|{instrument.version}",
        "status": "completed",
        "subject": {"reference": full_url(row["participant_id"])},
        "authored": local_time(row["completed_at"], row["utc_offset_minutes"]),
        "item": items,
    }


def total_observation(row: Row) -> dict[str, Any]:
    """The assessment's total: coded with LOINC where LOINC has a code for it (else by
    text), derived from its QuestionnaireResponse, interpreted by its band."""
    instrument = INSTRUMENTS[row["instrument"]]
    name = f"{instrument.title} total score"
    code: dict[str, Any] = {"text": name}
    if instrument.loinc_total is not None:
        code["coding"] = [{"system": LOINC, "code": instrument.loinc_total, "display": name}]
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": str(total_observation_id(row["id"])),
        "meta": {"lastUpdated": instant(row["created_at"])},
        "status": "final",
        "category": [SURVEY],
        "code": code,
        "subject": {"reference": full_url(row["participant_id"])},
        "effectiveDateTime": local_time(row["completed_at"], row["utc_offset_minutes"]),
        "valueInteger": row["total"],
        "derivedFrom": [{"reference": full_url(row["id"])}],
    }
    band = instrument.band_for(row["total"])
    if band is not None:
        resource["interpretation"] = [{"text": band.label}]
    return resource


def bundle_entry(resource: dict[str, Any], mode: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
    if mode is not None:
        entry["search"] = {"mode": mode}
    return entry


def assessment_entries(row: Row, mode: str | None = None) -> list[dict[str, Any]]:
    return [
        bundle_entry(questionnaire_response(row), mode),
        bundle_entry(total_observation(row), mode),
    ]
