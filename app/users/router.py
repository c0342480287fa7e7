"""The signed-in account, whatever its role."""

from fastapi import APIRouter

from app.audit import notices
from app.audit.schemas import SECURITY_NOTICE_EXAMPLE, SecurityNoticePage
from app.auth.dependencies import CurrentIdentity, ParticipantIdentity
from app.db import SessionDep
from app.errors import problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from app.users import service
from app.users.models import User
from app.users.schemas import MeRead, MeUpdate, UserRead

router = APIRouter(prefix="/v1/me", tags=["me"])


@router.get(
    "",
    response_model=MeRead,
    operation_id="getMe",
    summary="Read my account",
    responses=problem_responses(401, 503),
)
async def get_me(identity: CurrentIdentity, session: SessionDep) -> MeRead:
    """The signed-in account: e-mail, role, display name and time zone. A client can use it
    to learn its role after signing in.

    `unseen_security_notices` counts the security notices (account recovery, care-team
    changes) recorded since the participant last listed them: a client calls this after
    every sign-in and, when it is not 0, shows `GET /v1/me/security-notices` first."""
    return await service.get_me(session, identity)


@router.patch(
    "",
    response_model=UserRead,
    operation_id="updateMe",
    summary="Change my display name or time zone",
    responses=problem_responses(401, 413, 415, 422, 503),
)
async def update_me(changes: MeUpdate, identity: CurrentIdentity, session: SessionDep) -> User:
    """Change the display name or the IANA time zone (e.g. `Europe/Berlin`); fields left out
    or `null` stay as they are. A participant's time zone sets the default days of their
    summaries; each entry keeps the offset it was recorded with."""
    return await service.update_me(session, identity, changes)


@router.get(
    "/security-notices",
    response_model=SecurityNoticePage,
    operation_id="listMySecurityNotices",
    summary="What changed who can reach my journal",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {"items": [SECURITY_NOTICE_EXAMPLE], "next_cursor": None}
                }
            }
        },
        **problem_responses(401, 403, 422, 503),
    },
)
async def list_my_security_notices(
    identity: ParticipantIdentity,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> SecurityNoticePage:
    """Events that changed who can reach your journal, newest first: an administrator
    started account recovery (issued a recovery code for your account after it had been in
    use), a new password was set with a recovery code, or your care team changed (a
    clinician was assigned or their assignment ended). They also appear in
    `GET /v1/me/access-log`, marked with `security_notice`.

    If you did not expect one, contact your clinic. Reading the first page marks every
    notice on it as seen: `unseen_security_notices` on `GET /v1/me` drops accordingly."""
    return await notices.list_security_notices(
        session, identity.user.id, limit=limit, cursor=cursor
    )
