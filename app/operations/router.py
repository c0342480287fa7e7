"""Liveness and readiness probes, for load balancers and orchestrators."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.errors import ServiceUnavailable, problem_response
from app.openapi import problem_responses
from app.operations.service import schema_problem

router = APIRouter(tags=["operations"])


class HealthStatus(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: str = Field(examples=["ok"])


@router.get(
    "/healthz",
    response_model=HealthStatus,
    operation_id="getHealth",
    summary="Liveness: the process is up",
)
async def get_health() -> HealthStatus:
    """Answers `200` while the process runs; it does not touch the database, so a database
    outage does not make it fail (use `/readyz` for that)."""
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    response_model=HealthStatus,
    operation_id="getReadiness",
    summary="Readiness: the database answers and its schema is current",
    responses=problem_responses(ServiceUnavailable),
)
async def get_readiness(request: Request) -> HealthStatus | JSONResponse:
    """`200` when the database answers and its schema is at the latest migration, else `503`
    with `Retry-After` (take the instance out of rotation meanwhile)."""
    problem = await schema_problem(request.app.state.engine)
    if problem is not None:
        return problem_response(503, problem, headers={"Retry-After": "5"})
    return HealthStatus(status="ok")
