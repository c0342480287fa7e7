from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.errors import problem_response, problem_responses
from app.migrations import schema_heads

router = APIRouter(tags=["operations"])


class HealthStatus(BaseModel):
    status: str = Field(examples=["ok"])


@router.get(
    "/healthz",
    response_model=HealthStatus,
    operation_id="getHealth",
    summary="Liveness: the process is up",
)
async def get_health() -> HealthStatus:
    """Answers while the process runs; it does not touch the database."""
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    response_model=HealthStatus,
    operation_id="getReadiness",
    summary="Readiness: the database answers and its schema is current",
    responses=problem_responses(503),
)
async def get_readiness(request: Request) -> HealthStatus | JSONResponse:
    """`200` when the database answers and its schema is at the latest migration, else `503`."""
    engine: AsyncEngine = request.app.state.engine
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            versions = frozenset(row[0] for row in rows)
    except Exception:
        return problem_response(
            503, "The database is unreachable or not migrated.", headers={"Retry-After": "5"}
        )
    if versions != schema_heads():
        return problem_response(
            503,
            "The database schema is not at the latest migration; run `journal migrate`.",
            headers={"Retry-After": "5"},
        )
    return HealthStatus(status="ok")
