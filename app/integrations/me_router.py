"""A participant's consent to integrations: see each, consent, withdraw."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from app.access import OwnJournal
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, ServiceUnavailable
from app.integrations import consents
from app.integrations.schemas import MY_INTEGRATION_EXAMPLE, MyIntegrationRead
from app.openapi import json_example, problem_responses

router = APIRouter(prefix="/v1/me/integrations", tags=["me"])

IntegrationId = Annotated[uuid.UUID, Path(description="An active integration's id.")]


@router.get(
    "",
    response_model=list[MyIntegrationRead],
    operation_id="listMyIntegrations",
    summary="Integrations I can consent to, and whether I do",
    responses={
        200: json_example([MY_INTEGRATION_EXAMPLE]),
        **problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
    },
)
async def list_my_integrations(scope: OwnJournal, session: SessionDep) -> list[MyIntegrationRead]:
    """Every active integration (another system the clinic connected: a health record, a
    research store), what it would read (`scopes`), and whether you consent. An integration
    reaches nothing of yours unless you consent; each of its reads shows in your access
    log under its name."""
    return await consents.list_my_integrations(session, scope)


@router.put(
    "/{integration_id}/consent",
    response_model=MyIntegrationRead,
    operation_id="consentToIntegration",
    summary="Consent to an integration reading my data",
    responses={
        200: json_example(MY_INTEGRATION_EXAMPLE),
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def consent_to_integration(
    integration_id: IntegrationId, scope: OwnJournal, session: SessionDep
) -> MyIntegrationRead:
    """From the next request on, the integration may read your data within its `scopes`
    (notes only where you share them with your care team). Consenting again changes
    nothing. An unknown or deactivated integration is `404`. Audited."""
    return await consents.grant_consent(session, scope, integration_id)


@router.delete(
    "/{integration_id}/consent",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="withdrawIntegrationConsent",
    summary="Withdraw my consent to an integration",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def withdraw_integration_consent(
    integration_id: IntegrationId, scope: OwnJournal, session: SessionDep
) -> None:
    """From the next request on, the integration reaches none of your data (`404` for it,
    as if you did not exist). Withdrawing a consent you had not given is no error. Audited."""
    await consents.withdraw_consent(session, scope, integration_id)
