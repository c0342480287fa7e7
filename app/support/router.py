"""The clinic's support contacts: an admin sets them, a participant reads them (with an ETag)."""

from typing import Annotated

from fastapi import APIRouter, Header, Response

from app.auth.dependencies import AdminIdentity, ParticipantIdentity
from app.db import SessionDep
from app.errors import Forbidden, InvalidInput, NotAuthenticated, ServiceUnavailable
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import problem_responses
from app.support import service
from app.support.schemas import SupportRead, SupportSettingsRead, SupportUpdate

router = APIRouter()

IfNoneMatch = Annotated[
    str | None,
    Header(max_length=200, description="The `ETag` you cached; unchanged: `304`, no body."),
]


@router.get(
    "/v1/me/support",
    tags=["me"],
    response_model=SupportRead,
    operation_id="getMySupport",
    summary="Where to turn for support",
    responses={
        200: {
            "headers": {
                "ETag": {
                    "description": "Send it back as `If-None-Match` to learn if it changed.",
                    "required": True,
                    "schema": {"type": "string"},
                }
            }
        },
        304: {"description": "Not modified since the `ETag` sent."},
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def get_my_support(
    _identity: ParticipantIdentity,
    session: SessionDep,
    response: Response,
    if_none_match: IfNoneMatch = None,
) -> SupportRead | Response:
    """The clinic's message and contacts (its on-call line, the national lines of its
    country), as the clinic entered them. Cache it on the device for when there is no
    network; `If-None-Match` with the `ETag` answers `304` while it is unchanged."""
    support = await service.get_support(session)
    etag = service.support_etag(support)
    if if_none_match is not None and etag in {tag.strip() for tag in if_none_match.split(",")}:
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return support


@router.get(
    "/v1/admin/support-resources",
    tags=["admin"],
    response_model=SupportSettingsRead,
    operation_id="getSupportResources",
    summary="The clinic's support contacts",
    responses=problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
)
async def get_support_resources(
    _identity: AdminIdentity, session: SessionDep
) -> SupportSettingsRead:
    """The message and the up to 10 contacts participants are shown."""
    return await service.get_support_settings(session)


@router.put(
    "/v1/admin/support-resources",
    tags=["admin"],
    response_model=SupportSettingsRead,
    operation_id="setSupportResources",
    summary="Set the clinic's support contacts",
    responses=problem_responses(
        NotAuthenticated,
        Forbidden,
        BodyTooLarge,
        UnsupportedMediaType,
        InvalidInput,
        ServiceUnavailable,
    ),
)
async def set_support_resources(
    body: SupportUpdate, identity: AdminIdentity, session: SessionDep
) -> SupportSettingsRead:
    """Replace the message and the whole list (at most 10) at once. Enter your own on-call
    line and the national lines of your country, with where you checked them
    (`source_url`, `verified_at`); nothing is built in. Audited."""
    return await service.set_support(session, identity.actor, body)
