"""Admin routes for integration clients (OAuth2 client credentials)."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from app.auth.dependencies import AdminIdentity
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.integrations import service
from app.integrations.schemas import (
    INTEGRATION_EXAMPLE,
    IntegrationCreate,
    IntegrationCreated,
    IntegrationPage,
    IntegrationRead,
    IntegrationSecret,
    IntegrationUpdate,
)
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(prefix="/v1/admin/integrations", tags=["admin"])

IntegrationId = Annotated[uuid.UUID, Path(description="The integration's id (its client id).")]
LOCATION_HEADER: dict[str, Any] = {
    "Location": {
        "description": "The integration's URL.",
        "required": True,
        "schema": {"type": "string"},
        "example": f"/v1/admin/integrations/{INTEGRATION_EXAMPLE['id']}",
    }
}
WRITE_ERRORS = (BodyTooLarge, UnsupportedMediaType, InvalidInput)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=IntegrationCreated,
    operation_id="createIntegration",
    summary="Register an integration client and get its secret",
    responses={
        **problem_responses(NotAuthenticated, Forbidden, *WRITE_ERRORS, ServiceUnavailable),
        201: {"description": "Created", "headers": LOCATION_HEADER},
    },
)
async def create_integration(
    body: IntegrationCreate, identity: AdminIdentity, session: SessionDep, response: Response
) -> IntegrationCreated:
    """Another system's OAuth2 client: it gets tokens at `POST /v1/auth/token` with
    `grant_type=client_credentials`, and reaches only participants who consent to it, within
    its `scopes`. The `client_secret` is in this answer only: it is kept as a SHA-256 hash
    (256 random bits need no slow password hash, and a token request costs no Argon2 time).
    Audited, without the secret. `Location` is the integration's URL."""
    created = await service.create_integration(session, identity.actor, body)
    response.headers["Location"] = f"{router.prefix}/{created.id}"
    return created


@router.get(
    "",
    response_model=IntegrationPage,
    operation_id="listIntegrations",
    summary="List integration clients",
    responses={
        200: json_example({"items": [INTEGRATION_EXAMPLE], "next_cursor": None}),
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def list_integrations(
    _identity: AdminIdentity,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> IntegrationPage:
    """Every integration, active or not, oldest first, a page at a time. No secrets."""
    items, next_cursor = await service.list_integrations(session, limit, cursor)
    return IntegrationPage(items=items, next_cursor=next_cursor)


@router.get(
    "/{integration_id}",
    response_model=IntegrationRead,
    operation_id="getIntegration",
    summary="Read one integration client",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def get_integration(
    integration_id: IntegrationId, _identity: AdminIdentity, session: SessionDep
) -> IntegrationRead:
    """The integration's name, description, scopes and state; never its secret."""
    return service.to_integration_read(await service.get_integration(session, integration_id))


@router.patch(
    "/{integration_id}",
    response_model=IntegrationRead,
    operation_id="updateIntegration",
    summary="Change or deactivate an integration client",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, *WRITE_ERRORS, ServiceUnavailable
    ),
)
async def update_integration(
    integration_id: IntegrationId,
    body: IntegrationUpdate,
    identity: AdminIdentity,
    session: SessionDep,
) -> IntegrationRead:
    """Change `name`, `description`, `scopes` or `is_active`. `is_active: false` ends the
    client's tokens on their next request (`401`) and refuses it new ones; a scope taken
    away stops working at once, also for tokens already issued. Audited."""
    return await service.update_integration(session, identity.actor, integration_id, body)


@router.post(
    "/{integration_id}/secret",
    response_model=IntegrationSecret,
    operation_id="rotateIntegrationSecret",
    summary="Rotate an integration client's secret",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def rotate_integration_secret(
    integration_id: IntegrationId, identity: AdminIdentity, session: SessionDep
) -> IntegrationSecret:
    """A new secret, shown this once. The old secret stops at once, and so do the tokens
    issued with it (`401` on their next request). Audited, without the secret."""
    return await service.rotate_secret(session, identity.actor, integration_id)
