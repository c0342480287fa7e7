"""The signed-in account, whatever its role."""

from fastapi import APIRouter

from app.auth.identity import SignedInUser
from app.db import SessionDep
from app.dependencies import CurrentIdentity
from app.errors import problem_responses
from app.users import service
from app.users.models import User
from app.users.schemas import MeUpdate, UserRead

router = APIRouter(prefix="/v1/me", tags=["me"])


@router.get(
    "",
    response_model=UserRead,
    operation_id="getMe",
    summary="Read my account",
    responses=problem_responses(401, 503),
)
async def get_me(identity: CurrentIdentity) -> SignedInUser:
    """The signed-in account: e-mail, role, display name and time zone. A client can use it
    to learn its role after signing in."""
    return identity.user


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
