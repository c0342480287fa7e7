"""Contract guard for the product rule: the service records and describes, and never issues
dosing recommendations. No name in the published API may refer to doses or dosing, amounts
of a substance, or schedules of one: not a path, an operationId, a parameter, a property, a
schema name or an enum value. (Free text is not scanned: the description must be able to say
that the service never gives dosing advice.)

A name caught here is a product decision, not a test to adjust: see DESIGN.md."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from app.config import Settings
from app.main import create_app
from tests.conftest import SECRET_KEY

SNAPSHOT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"

# Whole words (after splitting camelCase, snake_case, kebab-case, paths and digits).
FORBIDDEN_WORDS = re.compile(
    r"""
    (micro|over|re)?dos(e|es|ed|ing|age|ages)   # dose, dosing, dosage, microdosing, ...
    | (milli|micro|nano)?grams?                  # milligram, microgram, gram(s)
    | (milli|micro)?lit(er|re)s?                 # millilitre, microliter, ...
    | mg | mcg | ug | µg | μg | ng | ml          # units (micro sign and Greek mu alike)
    | amounts? | substances?                     # amounts of a substance
    | regimens? | titrations? | titrat(e|ed|ing) | taper(s|ed|ing)?
    | schedul(e|es|ed|ing) | posology           # schedules of one
    """,
    re.VERBOSE,
)


def words(name: str) -> list[str]:
    """`microDoseMg_per-day/10mg` -> micro, dose, mg, per, day, mg."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    return [word.lower() for word in re.findall(r"[^\W\d_]+", spaced)]


# A schedule of questionnaires is not a schedule of a substance: the contract names it
# (`…/assessment-schedules/{instrument}`, design/supervision.md). Only "assessment"
# directly before the word lifts it; every other schedule is still caught.
QUESTIONNAIRE_SCHEDULE = re.compile(r"schedul(e|es|ed|ing)")


def refers_to_dosing(name: str) -> bool:
    found = words(name)
    return any(
        FORBIDDEN_WORDS.fullmatch(word)
        and not (QUESTIONNAIRE_SCHEDULE.fullmatch(word) and found[:index][-1:] == ["assessment"])
        for index, word in enumerate(found)
    )


def named_things(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, name) for every name an integrator would see in the document."""
    for path, item in document.get("paths", {}).items():
        yield "path", path
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            yield f"{method.upper()} {path} operationId", operation.get("operationId", "")
            for parameter in operation.get("parameters", []):
                yield f"{method.upper()} {path} parameter", parameter.get("name", "")
            for status, response in operation.get("responses", {}).items():
                for header in response.get("headers", {}):
                    yield f"{method.upper()} {path} {status} header", header
    for tag in document.get("tags", []):
        yield "tag", tag["name"]
    for name in document.get("components", {}).get("schemas", {}):
        yield "schema", name
    yield from _schema_names(document, "document")


def _schema_names(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """Property names and enum values anywhere in the document, inline schemas included.
    Examples are data about one made-up participant, not names: they are skipped."""
    if isinstance(node, dict):
        for name in node.get("properties", {}) if isinstance(node.get("properties"), dict) else {}:
            yield f"{where} property", name
        for value in node.get("enum", []) if isinstance(node.get("enum"), list) else []:
            yield f"{where} enum value", str(value)
        if "const" in node:
            yield f"{where} const", str(node["const"])
        for key, child in node.items():
            if key not in ("example", "examples", "description", "summary"):
                yield from _schema_names(child, f"{where}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _schema_names(child, f"{where}/{index}")


def dosing_references(document: dict[str, Any]) -> list[str]:
    return [
        f"{where}: {name!r}" for where, name in named_things(document) if refers_to_dosing(name)
    ]


# ---------------------------------------------------------------------------------------------


def test_published_document_never_refers_to_dosing() -> None:
    document = create_app(Settings(secret_key=SecretStr(SECRET_KEY))).openapi()
    assert dosing_references(document) == []
    # The guard looks at a real document: it sees the names it should.
    names = {name for _, name in named_things(document)}
    assert {"mood", "recorded_at", "createMyEntry", "/v1/me/entries", "participant"} <= names


def test_committed_snapshot_never_refers_to_dosing() -> None:
    assert dosing_references(json.loads(SNAPSHOT.read_text(encoding="utf-8"))) == []


def fabricated_document(**entry_properties: Any) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1", "description": "Never issues dosing advice."},
        "paths": {
            "/v1/me/entries": {
                "post": {
                    "operationId": "createMyEntry",
                    "description": "No dose, no mg, no schedule here: free text is not scanned.",
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/E"}}
                        }
                    },
                    "responses": {"201": {"description": "Created"}},
                }
            }
        },
        "components": {
            "schemas": {
                "E": {
                    "type": "object",
                    "properties": {"mood": {"type": "integer"}, **entry_properties},
                    "examples": [{"mood": 5, "note": "took my usual dose"}],
                }
            }
        },
    }


def test_guard_passes_a_clean_fabricated_document() -> None:
    assert dosing_references(fabricated_document()) == []


@pytest.mark.parametrize(
    "name",
    [
        "dose",
        "dose_mg",
        "doseMg",
        "dosage",
        "recommendedDosage",
        "dosing_schedule",
        "microdose_amount",
        "amount_ug",
        "amount_µg",
        "volume_ml",
        "milligrams",
        "micrograms_per_day",
        "regimen",
        "titration_step",
        "taper_plan",
        "next_scheduled_intake",
        "schedule_assessment",
        "assessmentDosingSchedule",
        "AssessmentScheduleDose",
    ],
)
def test_guard_catches_a_dosing_property(name: str) -> None:
    document = fabricated_document(**{name: {"type": "number"}})
    assert dosing_references(document) == [f"document/components/schemas/E property: {name!r}"]


def test_guard_catches_paths_operation_ids_parameters_and_enum_values() -> None:
    document = fabricated_document(unit={"type": "string", "enum": ["none", "10mg"]})
    document["paths"]["/v1/me/doses"] = {
        "get": {
            "operationId": "getTitrationPlan",
            "parameters": [{"name": "dosage", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}},
        }
    }
    assert dosing_references(document) == [
        "path: '/v1/me/doses'",
        "GET /v1/me/doses operationId: 'getTitrationPlan'",
        "GET /v1/me/doses parameter: 'dosage'",
        "document/components/schemas/E/properties/unit enum value: '10mg'",
    ]


@pytest.mark.parametrize(
    "name",
    [
        "closed", "dossier", "html", "images", "admin", "mood", "anxiety", "tags",
        "assessment-schedules", "AssessmentSchedule", "setAssessmentSchedule",
    ],
)  # fmt: skip
def test_guard_does_not_flag_look_alike_words(name: str) -> None:
    assert not refers_to_dosing(name)
