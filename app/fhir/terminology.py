"""The definitional resources: the ratings' CodeSystem, the instruments' Questionnaires and
the CapabilityStatement. They follow from code alone (no participant data), so they are
built once."""

from typing import Any

from app.instruments.definitions import INSTRUMENTS, Instrument

# Canonical URLs are identifiers, not locations: they stay the same wherever the service runs.
CANONICAL_BASE = "https://wellbeing-journal.example/fhir"
RATING_SYSTEM = f"{CANONICAL_BASE}/CodeSystem/journal-rating"
LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FHIR_VERSION = "4.0.1"
FHIR_JSON = "application/fhir+json"
ENTRY_PANEL = "journal-entry"
RATINGS = {
    "mood": "Mood, self-rated 0 to 10",
    "focus": "Focus, self-rated 0 to 10",
    "anxiety": "Anxiety, self-rated 0 to 10",
    "creativity": "Creativity, self-rated 0 to 10",
    "connection": "Connection with others, self-rated 0 to 10",
}


def questionnaire_url(instrument: Instrument) -> str:
    return f"{CANONICAL_BASE}/Questionnaire/{instrument.key}"


def rating_code_system() -> dict[str, Any]:
    concepts = [
        {
            "code": ENTRY_PANEL,
            "display": "Journal entry self-ratings",
            "definition": "A journal entry: the panel whose components are its ratings.",
        },
        *(
            {"code": code, "display": display, "definition": f"{display}, as the participant "
             "recorded it in their journal (0 lowest, 10 highest)."}
            for code, display in RATINGS.items()
        ),
    ]  # fmt: skip
    return {
        "resourceType": "CodeSystem",
        "id": "journal-rating",
        "url": RATING_SYSTEM,
        "version": "1",
        "name": "JournalRating",
        "title": "Wellbeing Journal self-ratings",
        "status": "active",
        "experimental": False,
        "publisher": "Wellbeing Journal",
        "description": "The 0-to-10 self-ratings of a journal entry. LOINC has no code for "
        "a self-rated mood, focus, anxiety, creativity or connection on this scale.",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }


def _answer_option(instrument: Instrument, value: int, text: str, loinc: str | None) -> Any:
    if loinc is None:
        return {"valueInteger": value}
    return {"valueCoding": {"system": LOINC, "code": loinc, "display": text}}


def questionnaire(instrument: Instrument) -> dict[str, Any]:
    """The instrument as a Questionnaire: one `choice` item per question (its LOINC code
    where LOINC has one), answer options coded with their LOINC answer codes."""
    options = [
        _answer_option(instrument, option.value, option.text, option.loinc)
        for option in instrument.options
    ]
    items = []
    for number, item in enumerate(instrument.items, start=1):
        entry: dict[str, Any] = {
            "linkId": str(number),
            "text": item.text,
            "type": "choice",
            "required": True,
            "answerOption": options,
        }
        if item.loinc is not None:
            entry["code"] = [{"system": LOINC, "code": item.loinc}]
        items.append(entry)
    resource: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": instrument.key,
        "url": questionnaire_url(instrument),
        "version": str(instrument.version),
        "name": instrument.key.replace("-", "").upper(),
        "title": instrument.title,
        "status": "active",
        "subjectType": ["Patient"],
        "description": f"{instrument.question} ({instrument.scoring})",
        "copyright": instrument.attribution,
        "item": items,
    }
    if instrument.loinc_panel is not None:
        resource["code"] = [{"system": LOINC, "code": instrument.loinc_panel}]
    return resource


QUESTIONNAIRES = {key: questionnaire(instrument) for key, instrument in INSTRUMENTS.items()}
CODE_SYSTEM = rating_code_system()


def capability_statement(date: str) -> dict[str, Any]:
    def read_only(kind: str, **extra: Any) -> dict[str, Any]:
        return {"type": kind, "interaction": [{"code": "read"}], **extra}

    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "Wellbeing Journal",
        "kind": "instance",
        "software": {"name": "Wellbeing Journal"},
        "implementation": {"description": "Wellbeing Journal FHIR R4 read API"},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON],
        "rest": [
            {
                "mode": "server",
                "documentation": "Bearer tokens: a participant's or clinician's access "
                "token, or an integration's client token with the `fhir.read` scope.",
                "resource": [
                    {
                        "type": "Patient",
                        "operation": [
                            {
                                "name": "everything",
                                "definition": "http://hl7.org/fhir/OperationDefinition/"
                                "Patient-everything",
                            }
                        ],
                    },
                    read_only("Questionnaire"),
                    read_only("CodeSystem"),
                    {"type": "Observation"},
                    {"type": "QuestionnaireResponse"},
                ],
            }
        ],
    }
