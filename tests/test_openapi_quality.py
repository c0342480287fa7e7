"""The OpenAPI document is complete enough to integrate from: every operation has a stable
camelCase operationId, one tag, a summary, a description, examples, security where it is
protected, and every error status it can return, as problem+json."""

import re
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
from pydantic import SecretStr

from app.config import Settings
from app.main import create_app
from tests.conftest import SECRET_KEY

TAGS = {
    "auth",
    "me",
    "journal",
    "clinician",
    "admin",
    "instruments",
    "integrations",
    "fhir",
    "operations",
}
PUBLIC = {
    "getHealth",
    "getReadiness",
    "signIn",
    "refreshTokens",
    "activateAccount",
    "getFhirCapabilityStatement",
    "getJournalRatingCodeSystem",
    "getFhirQuestionnaire",
}
# Routes that need no database: everything else answers 503 while it is away.
NO_DATABASE = {"getHealth"}
# Operations any signed-in role may call (no 403).
ANY_ROLE = {
    "getMe",
    "updateMe",
    "signOut",
    "changeMyPassword",
    "listInstruments",
    "getInstrument",
}
PROBLEM = "application/problem+json"
METHODS = {"get", "put", "post", "patch", "delete"}

DOCUMENT: dict[str, Any] = create_app(Settings(secret_key=SecretStr(SECRET_KEY))).openapi()


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


OPERATIONS = list(operations())
IDS = [operation["operationId"] for _, _, operation in OPERATIONS]


def by_operation() -> pytest.MarkDecorator:
    return pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=IDS)


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def validator(schema: dict[str, Any]) -> jsonschema_rs.Draft202012Validator:
    """A validator for a schema of the document, its `$ref`s resolved against the document."""
    return jsonschema_rs.Draft202012Validator(
        {**schema, "components": DOCUMENT["components"]}, validate_formats=True
    )


def examples_of(media: dict[str, Any]) -> list[Any]:
    """Examples of a media type: its own, else those of its (referenced) schema."""
    if "example" in media:
        return [media["example"]]
    if "examples" in media:
        return [example["value"] for example in media["examples"].values()]
    return list(resolve(media.get("schema", {})).get("examples", []))


def expected_errors(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can return, from what it takes and who may call it."""
    expected: set[int] = set()
    operation_id = operation["operationId"]
    if operation.get("security"):
        expected.add(401)
        if operation_id not in ANY_ROLE:
            expected.add(403)
    body = operation.get("requestBody", {}).get("content", {})
    if body:
        expected |= {413, 422}
        if "application/json" in body:
            expected.add(415)
    if operation.get("parameters"):
        expected.add(422)
    if "{" in path:
        expected.add(404)
    if operation_id not in NO_DATABASE:
        expected.add(503)
    return expected


def test_info_says_what_the_service_is_and_that_it_never_advises_on_doses() -> None:
    info = DOCUMENT["info"]
    assert info["title"] == "Wellbeing Journal API"
    assert re.fullmatch(r"\d+\.\d+\.\d+", info["version"])
    assert "clinician-supervised wellbeing journal" in info["description"]
    assert "never issues dosing recommendations" in info["description"]


def test_tags_are_the_domains_each_described() -> None:
    assert {tag["name"] for tag in DOCUMENT["tags"]} == TAGS
    assert all(len(tag["description"]) > 20 for tag in DOCUMENT["tags"])


def test_operation_ids_are_unique_and_camel_case() -> None:
    assert len(IDS) == len(set(IDS))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", operation_id) for operation_id in IDS)


@by_operation()
def test_operation_has_one_tag_a_summary_and_a_description(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    assert len(operation["tags"]) == 1 and operation["tags"][0] in TAGS
    assert 10 <= len(operation["summary"]) <= 80
    assert len(operation["description"]) >= 40


# Integration routes take a client credentials token, with the scope each needs.
CLIENT_SCOPES = {
    "listConsentingParticipants": [],
    "listConsentingParticipantEntryChanges": ["entries.read"],
    "listConsentingParticipantAssessments": ["assessments.read"],
    "listConsentingParticipantAlerts": ["alerts.read"],
}


@by_operation()
def test_protected_operations_use_the_oauth2_bearer_scheme(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    operation_id = operation["operationId"]
    expected: list[dict[str, list[str]]] = (
        [] if operation_id in PUBLIC else [{"OAuth2PasswordBearer": []}]
    )
    if operation_id in CLIENT_SCOPES:
        expected = [{"OAuth2ClientCredentials": CLIENT_SCOPES[operation_id]}]
    if operation_id == "getPatientEverything":  # people's tokens and integrations' alike
        expected = [{"OAuth2PasswordBearer": []}, {"OAuth2ClientCredentials": ["fhir.read"]}]
    assert operation.get("security", []) == expected
    scheme = DOCUMENT["components"]["securitySchemes"]["OAuth2PasswordBearer"]
    assert scheme["flows"]["password"]["tokenUrl"] == "/v1/auth/token"


def test_integrations_use_the_oauth2_client_credentials_flow() -> None:
    scheme = DOCUMENT["components"]["securitySchemes"]["OAuth2ClientCredentials"]
    flow = scheme["flows"]["clientCredentials"]
    assert scheme["type"] == "oauth2" and flow["tokenUrl"] == "/v1/auth/token"
    assert set(flow["scopes"]) == {
        "entries.read",
        "assessments.read",
        "alerts.read",
        "fhir.read",
        "webhooks.receive",
    }


@by_operation()
def test_every_error_status_is_documented_as_problem_json(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    responses = operation["responses"]
    documented = {int(status) for status in responses if int(status) >= 400}
    assert expected_errors(method, path, operation) <= documented
    for status in documented:
        response = responses[str(status)]
        assert set(response["content"]) == {PROBLEM}, status
        media = response["content"][PROBLEM]
        assert media["schema"] == {"$ref": "#/components/schemas/Problem"}
        examples = media["examples"]
        assert examples and all(e["value"]["status"] == status for e in examples.values())
        assert all(e["value"]["type"].endswith("/" + code) for code, e in examples.items())
        headers = {name.lower() for name in response.get("headers", {})}
        if status == 401:
            assert "www-authenticate" in headers
        if status in (429, 503):
            assert "retry-after" in headers


@pytest.mark.parametrize(
    ("operation_id", "status", "codes"),
    [
        ("createMyEntry", 409, {"entry-changed", "entry-id-unavailable"}),
        ("createUser", 409, {"email-taken"}),
        ("updateUser", 409, {"last-admin"}),
        ("approveRequest", 403, {"forbidden", "own-approval-request"}),
        ("signIn", 503, {"service-unavailable", "hashing-busy"}),
    ],
)
def test_domain_error_codes_are_documented(operation_id: str, status: int, codes: set[str]) -> None:
    (operation,) = [
        operation
        for path_item in DOCUMENT["paths"].values()
        for operation in path_item.values()
        if operation["operationId"] == operation_id
    ]
    response = operation["responses"][str(status)]
    assert set(response["content"][PROBLEM]["examples"]) == codes
    assert all(f"`{code}`" in response["description"] for code in codes)


@by_operation()
def test_created_responses_carry_a_location(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    created = operation["responses"].get("201")
    if created is not None:
        assert created["headers"]["Location"]["required"] is True


@by_operation()
def test_request_and_response_examples_are_given_and_valid(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    media_types = list(operation.get("requestBody", {}).get("content", {}).values())
    for response in operation["responses"].values():
        media_types += response.get("content", {}).values()
    for media in media_types:
        examples = examples_of(media)
        assert examples, f"{method} {path}: no example for {media.get('schema')}"
        check = validator(media.get("schema", {}))
        for example in examples:
            check.validate(example)


def test_no_default_validation_error_schema_leaks_in() -> None:
    # FastAPI's own 422 body (`HTTPValidationError`) is not what the app sends.
    assert "HTTPValidationError" not in DOCUMENT["components"]["schemas"]


def test_the_body_limit_example_states_the_configured_limit(settings: Settings) -> None:
    document = create_app(settings.model_copy(update={"max_body_bytes": 4096})).openapi()

    response = document["paths"]["/v1/me/entries"]["post"]["responses"]["413"]
    (example,) = response["content"][PROBLEM]["examples"].values()
    assert example["value"]["detail"] == "The request body is larger than 4096 bytes."
