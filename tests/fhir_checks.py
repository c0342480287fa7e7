"""Checks of generated FHIR: every resource parses with the `fhir.resources.R4B` model of
its resourceType, and the codes those models do not check are checked here."""

from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from app.instruments.definitions import INSTRUMENTS

LOINC = "http://loinc.org"
RATING_SYSTEM = "https://wellbeing-journal.example/fhir/CodeSystem/journal-rating"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
RATINGS = {"mood", "focus", "anxiety", "creativity", "connection"}
TOTALS = {"phq-9": "44261-6", "gad-7": "70274-6"}


def code_system_of(resource: dict[str, Any]) -> str | None:
    """The system of the resource's first `code` coding (None when coded by text only)."""
    codings = resource["code"].get("coding") or [{}]
    system = codings[0].get("system")
    return str(system) if system is not None else None


def parse(resource: dict[str, Any]) -> Any:
    """The resource as its R4B model (raises on anything the model refuses)."""
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def resources_of(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    parse(bundle)
    for entry in bundle.get("entry", []):
        parse(entry["resource"])
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
    return [entry["resource"] for entry in bundle.get("entry", [])]


def check_entry_observation(resource: dict[str, Any]) -> None:
    assert resource["status"] in ("final", "amended")
    (category,) = resource["category"]
    assert category["coding"][0]["system"] == CATEGORY
    assert category["coding"][0]["code"] == "survey"
    assert resource["code"]["coding"] == [
        {"system": RATING_SYSTEM, "code": "journal-entry", "display": "Journal entry"}
    ]
    for component in resource.get("component", []):
        (coding,) = component["code"]["coding"]
        assert coding["system"] == RATING_SYSTEM and coding["code"] in RATINGS
        assert 0 <= component["valueInteger"] <= 10


def check_assessment(response: dict[str, Any], total: dict[str, Any]) -> None:
    key = response["questionnaire"].split("/")[-1].split("|")[0]
    instrument = INSTRUMENTS[key]
    assert response["status"] == "completed"
    assert response["questionnaire"].endswith(f"/Questionnaire/{key}|{instrument.version}")
    for item, answer in zip(instrument.items, response["item"], strict=True):
        assert answer["text"] == item.text
        (value,) = answer["answer"]
        option_codes = {option.loinc for option in instrument.options}
        if None in option_codes:
            assert "valueInteger" in value
        else:
            assert value["valueCoding"]["system"] == LOINC
            assert value["valueCoding"]["code"] in option_codes
    assert total["status"] == "final"
    assert total["category"][0]["coding"][0]["code"] == "survey"
    assert total["derivedFrom"] == [{"reference": f"urn:uuid:{response['id']}"}]
    if key in TOTALS:
        assert total["code"]["coding"][0] == {
            "system": LOINC, "code": TOTALS[key], "display": f"{instrument.title} total score"
        }  # fmt: skip
    band = instrument.band_for(total["valueInteger"])
    if band is not None:
        assert total["interpretation"] == [{"text": band.label}]


def check_bundle_resources(resources: list[dict[str, Any]]) -> None:
    """Every resource's codes; each QuestionnaireResponse followed by its total."""
    for index, resource in enumerate(resources):
        kind = resource["resourceType"]
        if kind == "Observation" and code_system_of(resource) == RATING_SYSTEM:
            check_entry_observation(resource)
        elif kind == "QuestionnaireResponse":
            check_assessment(resource, resources[index + 1])
        elif kind == "Patient":
            assert "meta" not in resource or "profile" not in resource["meta"]
