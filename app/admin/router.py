"""Admin routes: accounts, care assignments and the audit trail. Never journal content."""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import JSONResponse

from app.admin import service
from app.admin.approval_router import APPROVAL_PENDING, pending_response
from app.admin.approval_router import router as approvals_router
from app.admin.audit_router import router as audit_router
from app.admin.care_router import router as care_router
from app.admin.schemas import (
    AccountPage,
    AccountRead,
    ActivationCodeRead,
    ApprovalRead,
    UserCreate,
    UserCreated,
    UserUpdate,
)
from app.admin.service import AccountInactive, LastAdmin
from app.auth.dependencies import AdminIdentity
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    ServiceUnavailable,
)
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import problem_responses
from app.pagination import CursorQuery, LimitQuery
from app.users.models import Role, User
from app.users.schemas import USER_EXAMPLE, UserRead
from app.users.service import EmailTaken

router = APIRouter(prefix="/v1/admin", tags=["admin"])

LOCATION_HEADER: dict[str, Any] = {
    "Location": {
        "description": "The account's URL.",
        "required": True,
        "schema": {"type": "string"},
        "example": f"/v1/admin/users/{USER_EXAMPLE['id']}",
    }
}
UserId = Annotated[uuid.UUID, Path(description="The account's id.")]
ParticipantId = Annotated[uuid.UUID, Path(description="A participant account's id.")]


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    response_model=UserCreated,
    operation_id="createUser",
    summary="Create an account and its activation code",
    responses={
        **problem_responses(
            NotAuthenticated,
            Forbidden,
            EmailTaken,
            BodyTooLarge,
            UnsupportedMediaType,
            InvalidInput,
            ServiceUnavailable,
        ),
        201: {"description": "Created", "headers": LOCATION_HEADER},
    },
)
async def create_user(
    body: UserCreate,
    identity: AdminIdentity,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> UserCreated:
    """Create a participant, clinician or admin account. It has no password yet: hand the
    one-time `activation_code` to its owner, who sets a password with
    `POST /v1/auth/activate` before it expires. The code is shown only in this response.

    E-mail addresses are unique regardless of case and Unicode spelling (`409` otherwise).
    `Location` is the new account's URL."""
    user, code = await service.create_account(session, settings, identity.actor, body)
    response.headers["Location"] = f"{router.prefix}/users/{user.id}"
    return UserCreated(
        user=UserRead.model_validate(user),
        activation_code=code.code,
        activation_code_expires_at=code.expires_at,
    )


@router.get(
    "/users",
    response_model=AccountPage,
    operation_id="listUsers",
    summary="List accounts",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "items": [{**USER_EXAMPLE, "caseload": None}],
                        "next_cursor": "WyJ1c2VycyJd",
                    }
                }
            }
        },
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def list_users(
    identity: AdminIdentity,
    session: SessionDep,
    role: Annotated[Role | None, Query(description="Only accounts with this role.")] = None,
    without_clinician: Annotated[
        bool, Query(description="Only participants that no clinician cares for now.")
    ] = False,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
) -> AccountPage:
    """Accounts in the order they were created, active and deactivated alike (erased
    participants are left out); clinicians with their `caseload`. With
    `without_clinician=true`, only participants left without a clinician (for example after
    their clinician was deactivated). Follow `next_cursor` for the next page."""
    return await service.list_accounts(
        session, role=role, without_clinician=without_clinician, limit=limit, cursor=cursor
    )


@router.get(
    "/users/{user_id}",
    response_model=AccountRead,
    operation_id="getUser",
    summary="Read an account",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
    ),
)
async def get_user(user_id: UserId, identity: AdminIdentity, session: SessionDep) -> AccountRead:
    """One account: e-mail, role, display name, time zone, whether it is active and, for a
    clinician, their caseload. An erased participant is `404`."""
    (account,) = await service.with_caseloads(
        session, [await service.get_account(session, user_id)]
    )
    return account


@router.patch(
    "/users/{user_id}",
    response_model=UserRead,
    operation_id="updateUser",
    summary="Rename, deactivate or reactivate an account",
    responses=problem_responses(
        NotAuthenticated,
        Forbidden,
        NotFound,
        LastAdmin,
        BodyTooLarge,
        UnsupportedMediaType,
        InvalidInput,
        ServiceUnavailable,
    ),
)
async def update_user(
    user_id: UserId, body: UserUpdate, identity: AdminIdentity, session: SessionDep
) -> User:
    """Change `display_name` or `is_active`; fields left out stay as they are.

    Deactivation ends every session of the account at once: its next request with an
    access token is `401`, and it cannot sign in. The last active admin cannot be
    deactivated (`409`). A reactivated account signs in with its existing password."""
    return await service.update_account(session, identity.actor, user_id, body)


@router.post(
    "/users/{user_id}/activation-code",
    status_code=status.HTTP_201_CREATED,
    response_model=ActivationCodeRead,
    operation_id="issueActivationCode",
    summary="Issue a fresh activation code",
    responses={
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, AccountInactive, InvalidInput, ServiceUnavailable
        ),
        201: {"description": "Created", "headers": LOCATION_HEADER},
        202: {"model": ApprovalRead, "description": APPROVAL_PENDING},
    },
)
async def issue_activation_code(
    user_id: UserId,
    identity: AdminIdentity,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> ActivationCodeRead | JSONResponse:
    """For a lost code or a forgotten password: a new one-time code, shown only in this
    response; any earlier unused code stops working. The account keeps its current
    password until the code is used; but when it already has one (an account recovery),
    every session of the account ends at once, and the participant is shown a security
    notice. A deactivated account gets `409`.

    With `JOURNAL_SECOND_ADMIN_APPROVAL` on, recovering an activated participant's account
    is `202` with a pending request instead: another admin approves it at
    `POST /v1/admin/approvals/{approval_id}/approve`, and that answer carries the code.

    The code itself has no URL: `Location` is the URL of the account it activates."""
    result = await service.reissue_activation_code(session, settings, identity.actor, user_id)
    if isinstance(result, ApprovalRead):
        return pending_response(result)
    response.headers["Location"] = f"{router.prefix}/users/{user_id}"
    return ActivationCodeRead(activation_code=result.code, expires_at=result.expires_at)


router.include_router(approvals_router)
router.include_router(care_router)
router.include_router(audit_router)
