"""The validated instruments, read-only, for any signed-in account."""

from typing import Annotated

from fastapi import APIRouter, Path

from app.auth.dependencies import CurrentIdentity
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.instruments.definitions import GAD_7, INSTRUMENTS, find_instrument
from app.instruments.schemas import InstrumentRead, to_instrument_read
from app.openapi import json_example, problem_responses

router = APIRouter(prefix="/v1/instruments", tags=["instruments"])

GAD_7_EXAMPLE = to_instrument_read(GAD_7).model_dump(mode="json")
InstrumentKey = Annotated[
    str, Path(max_length=32, description="`phq-9`, `phq-8`, `gad-7` or `who-5`.")
]


@router.get(
    "",
    response_model=list[InstrumentRead],
    operation_id="listInstruments",
    summary="The validated instruments",
    responses={
        200: json_example([GAD_7_EXAMPLE]),
        **problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
    },
)
async def list_instruments(_identity: CurrentIdentity) -> list[InstrumentRead]:
    """PHQ-9, PHQ-8, GAD-7 and WHO-5 with their published texts, answer options, scoring,
    severity bands, flags, LOINC codes and attribution. Bands describe a score; they are
    not advice. A clinic offers PHQ-9 only once it can respond to its item 9 (see
    `POST /v1/me/assessments`)."""
    return [to_instrument_read(instrument) for instrument in INSTRUMENTS.values()]


@router.get(
    "/{key}",
    response_model=InstrumentRead,
    operation_id="getInstrument",
    summary="One validated instrument",
    responses={
        200: json_example(GAD_7_EXAMPLE),
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def get_instrument(key: InstrumentKey, _identity: CurrentIdentity) -> InstrumentRead:
    """One instrument by key; an unknown key is `404`."""
    return to_instrument_read(find_instrument(key))
