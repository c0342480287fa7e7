"""FHIR R4 at `/fhir/r4`: `application/fhir+json`, read only.

Errors stay `application/problem+json`, as everywhere in this API (one error shape for a
client to handle), not FHIR `OperationOutcome`s."""

from typing import Annotated

from fastapi import APIRouter, Path, Request

from app.access import FhirParticipant
from app.auth.client_tokens import InsufficientScope
from app.db import SessionDep, utcnow
from app.errors import InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.fhir import service
from app.fhir.resources import instant
from app.fhir.schemas import (
    DEFAULT_COUNT,
    EVERYTHING_EXAMPLE,
    QUESTIONNAIRE_EXAMPLE,
    CountQuery,
    FhirResponse,
    SinceQuery,
    fhir_example,
)
from app.fhir.terminology import CODE_SYSTEM, QUESTIONNAIRES, capability_statement
from app.openapi import problem_responses
from app.pagination import CursorQuery

router = APIRouter(prefix="/fhir/r4", tags=["fhir"], default_response_class=FhirResponse)


@router.get(
    "/metadata",
    operation_id="getFhirCapabilityStatement",
    summary="FHIR capability statement",
    response_model=None,
    responses={
        200: fhir_example(capability_statement("2026-11-21T09:00:00Z"), "The statement."),
        **problem_responses(InvalidInput, ServiceUnavailable),
    },
)
async def get_fhir_capability_statement() -> FhirResponse:
    """What this FHIR R4 (4.0.1) server supports: `Patient/{id}/$everything`, the
    instruments' `Questionnaire`s and the ratings' `CodeSystem`, in `application/fhir+json`.
    No authentication. Errors are `application/problem+json` (RFC 9457) as in the rest
    of this API, not FHIR `OperationOutcome` resources."""
    return FhirResponse(capability_statement(instant(utcnow())))


@router.get(
    "/CodeSystem/journal-rating",
    operation_id="getJournalRatingCodeSystem",
    summary="The code system of the journal's self-ratings",
    response_model=None,
    responses={
        200: fhir_example(CODE_SYSTEM, "The code system."),
        **problem_responses(InvalidInput, ServiceUnavailable),
    },
)
async def get_journal_rating_code_system() -> FhirResponse:
    """The codes of a journal entry's Observation panel and of its 0-to-10 ratings (mood,
    focus, anxiety, creativity, connection): LOINC has none for these. No authentication."""
    return FhirResponse(CODE_SYSTEM)


@router.get(
    "/Questionnaire/{key}",
    operation_id="getFhirQuestionnaire",
    summary="An instrument as a FHIR Questionnaire",
    response_model=None,
    responses={
        200: fhir_example(QUESTIONNAIRE_EXAMPLE, "The questionnaire."),
        **problem_responses(NotFound, InvalidInput, ServiceUnavailable),
    },
)
async def get_fhir_questionnaire(
    key: Annotated[str, Path(max_length=32, description="`phq-9`, `phq-8`, `gad-7` or `who-5`.")],
) -> FhirResponse:
    """PHQ-9, PHQ-8, GAD-7 or WHO-5 with its items (LOINC item codes where LOINC has them)
    and answer options (LOINC answer codes where LOINC has them); an unknown key is `404`.
    No authentication."""
    if key not in QUESTIONNAIRES:
        raise NotFound("No such questionnaire.")
    return FhirResponse(QUESTIONNAIRES[key])


@router.get(
    "/Patient/{participant_id}/$everything",
    operation_id="getPatientEverything",
    summary="A participant's data as a FHIR searchset Bundle",
    response_model=None,
    responses={
        200: fhir_example(EVERYTHING_EXAMPLE, "A page of the participant's resources."),
        **problem_responses(
            NotAuthenticated, InsufficientScope, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def get_patient_everything(
    request: Request,
    scope: FhirParticipant,
    session: SessionDep,
    since: SinceQuery = None,
    count: CountQuery = DEFAULT_COUNT,
    cursor: CursorQuery = None,
) -> FhirResponse:
    """A `searchset` Bundle: a pseudonymous Patient (named only for the participant
    themself), an Observation panel per live entry (its ratings as components, coded in
    `CodeSystem/journal-rating`), and per assessment a QuestionnaireResponse with an
    Observation of its total (LOINC where LOINC has a code). Notes only for the participant
    themself, or where they share them with their care team. Follow the `next` link until
    there is none. For the participant themself, their care team, and integrations they
    consent to (client token with `fhir.read`, else `403`); any other id is `404`. Audited
    as a read of entries and assessments. Errors are `application/problem+json` (RFC 9457)
    as in the rest of this API, not FHIR `OperationOutcome` resources."""
    entries, next_cursor = await service.everything_page(session, scope, since, count, cursor)
    links = [{"relation": "self", "url": str(request.url)}]
    if next_cursor is not None:
        url = request.url.include_query_params(cursor=next_cursor)
        links.append({"relation": "next", "url": str(url)})
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "timestamp": instant(utcnow()),
        "link": links,
        "entry": entries,
    }
    return FhirResponse(bundle)
